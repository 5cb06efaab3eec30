#include "tests/emulators/kube/http_server.h"

#include <csignal>
#include <cstring>
#include <exception>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace cairn::emulators {
namespace {

constexpr int kTimeoutMs = 5000;                 // idle keep-alive and stalled requests
constexpr size_t kMaxHead = size_t{64} << 10;    // request line and headers
constexpr size_t kMaxBody = size_t{256} << 20;   // request body
constexpr size_t kReadChunk = size_t{16} << 10;  // one TLS record

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsNoCase(const std::string& a, const char* b) {
  size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; ++i)
    if (Lower(a[i]) != Lower(b[i])) return false;
  return true;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding; in a query, '+' is a space too.
std::string DecodeUrl(const std::string& s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = HexDigit(s[i + 1])) >= 0 &&
        (lo = HexDigit(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

void ParseQuery(const std::string& query, std::multimap<std::string, std::string>* out) {
  size_t i = 0;
  while (i <= query.size()) {
    size_t amp = query.find('&', i);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(i, amp - i);
    size_t eq = part.find('=');
    std::string key = Trim(part.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : Trim(part.substr(eq + 1));
    if (!key.empty()) out->emplace(DecodeUrl(key, true), DecodeUrl(value, true));
    i = amp + 1;
  }
}

const char* Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

}  // namespace

bool HeaderLess::operator()(const std::string& a, const std::string& b) const {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    char x = Lower(a[i]), y = Lower(b[i]);
    if (x != y) return x < y;
  }
  return a.size() < b.size();
}

std::string HttpRequest::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

/// One accepted connection: its socket, TLS state and the bytes read but not yet parsed.
struct HttpServer::Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  std::string buf;
  size_t pos = 0;  // start of the unparsed bytes in buf

  // Reads what is available (waiting up to `timeout_ms` for it); false on EOF, error, timeout.
  bool Fill(int timeout_ms) {
    if (pos > 0 && pos * 2 >= buf.size()) {
      buf.erase(0, pos);
      pos = 0;
    }
    bool buffered = ssl && SSL_has_pending(ssl);
    if (!buffered) {
      pollfd p{fd, POLLIN, 0};
      int r;
      do {
        r = poll(&p, 1, timeout_ms);
      } while (r < 0 && errno == EINTR);
      if (r <= 0) return false;
    }
    char chunk[kReadChunk];
    long n = ssl ? SSL_read(ssl, chunk, static_cast<int>(sizeof chunk))
                 : recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  // The next line without its CRLF; false when the connection ends first or it is too long.
  bool Line(std::string* line) {
    while (true) {
      size_t nl = buf.find('\n', pos);
      if (nl != std::string::npos) {
        size_t end = nl > pos && buf[nl - 1] == '\r' ? nl - 1 : nl;
        line->assign(buf, pos, end - pos);
        pos = nl + 1;
        return true;
      }
      if (buf.size() - pos > kMaxHead || !Fill(kTimeoutMs)) return false;
    }
  }

  bool Bytes(size_t n, std::string* out) {
    while (buf.size() - pos < n)
      if (!Fill(kTimeoutMs)) return false;
    out->append(buf, pos, n);
    pos += n;
    return true;
  }

  bool Write(const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
      long n = ssl ? SSL_write(ssl, data.data() + done, static_cast<int>(data.size() - done))
                   : send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
};

HttpServer::HttpServer(X509* cert, EVP_PKEY* key, int max_connections, HttpHandler handler)
    : max_connections_(max_connections > 0 ? max_connections : 1024), handler_(std::move(handler)) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up must not end the process
  if (cert && key) {
    ssl_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_min_proto_version(ssl_, TLS1_2_VERSION);
    SSL_CTX_set_options(ssl_, SSL_OP_NO_COMPRESSION);
    // One read() per record (or several), not one for its header and one for its body; Fill
    // asks SSL_has_pending, which sees what was read ahead.
    SSL_CTX_set_read_ahead(ssl_, 1);
    if (SSL_CTX_use_certificate(ssl_, cert) != 1 || SSL_CTX_use_PrivateKey(ssl_, key) != 1) {
      SSL_CTX_free(ssl_);
      ssl_ = nullptr;
    }
  }
}

HttpServer::~HttpServer() {
  Stop();
  if (ssl_) SSL_CTX_free(ssl_);
}

int HttpServer::Start(int port) {
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return -1;
  int yes = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, SOMAXCONN) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(listen_fd_);
    listen_fd_ = -1;
    return -1;
  }
  stopping_ = false;
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return ntohs(addr.sin_port);
}

void HttpServer::Stop() {
  if (listen_fd_ < 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (acceptor_.joinable()) acceptor_.join();
  close(listen_fd_);
  listen_fd_ = -1;
  std::unique_lock<std::mutex> lock(mu_);
  for (int fd : open_) shutdown(fd, SHUT_RDWR);  // wakes their reads
  changed_.wait(lock, [this] { return active_ == 0; });
}

void HttpServer::AcceptLoop() {
  while (!stopping_) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (stopping_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));  // e.g. EMFILE: retry later
      continue;
    }
    // Small responses must not wait for delayed ACKs; stalled peers time out.
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    timeval tv{kTimeoutMs / 1000, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return active_ < max_connections_ || stopping_; });
    if (stopping_) {
      close(fd);
      return;
    }
    ++active_;
    open_.insert(fd);
    std::thread([this, fd] { Serve(fd); }).detach();
  }
}

void HttpServer::Serve(int fd) {
  Connection c;
  c.fd = fd;
  bool ok = true;
  if (ssl_) {
    c.ssl = SSL_new(ssl_);
    ok = c.ssl && SSL_set_fd(c.ssl, fd) == 1 && SSL_accept(c.ssl) == 1;
  }
  while (ok && !stopping_ && ServeOne(&c)) {
  }
  if (c.ssl) {
    if (ok) SSL_shutdown(c.ssl);
    SSL_free(c.ssl);
  }
  // Notified under the lock: once Stop sees active_ == 0, no thread touches the server again.
  std::lock_guard<std::mutex> lock(mu_);
  open_.erase(fd);
  close(fd);
  --active_;
  changed_.notify_all();
}

bool HttpServer::ServeOne(Connection* c) {
  // Waits (idle) for the next request line; blank lines before it are skipped.
  std::string line;
  do {
    if (c->pos == c->buf.size() && !c->Fill(kTimeoutMs)) return false;
    if (!c->Line(&line)) return false;
  } while (line.empty());
  HttpRequest req;
  HttpResponse res;
  bool keep = true;
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  std::string version = sp2 == std::string::npos ? "" : line.substr(sp2 + 1);
  bool bad =
      sp1 == std::string::npos || sp1 == sp2 || (version != "HTTP/1.1" && version != "HTTP/1.0");
  bool head_only = false;
  if (!bad) {
    req.method = line.substr(0, sp1);
    std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t q = target.find('?');
    req.path = DecodeUrl(target.substr(0, q), false);
    if (q != std::string::npos) ParseQuery(target.substr(q + 1), &req.params);
    while (true) {
      if (!c->Line(&line)) return false;
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) {
        bad = true;
        continue;
      }
      req.headers.emplace(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
    }
    std::string connection = req.Header("Connection");
    keep = version == "HTTP/1.1" ? !EqualsNoCase(connection, "close")
                                 : EqualsNoCase(connection, "keep-alive");
    head_only = req.method == "HEAD";
    if (head_only) req.method = "GET";
  }
  if (!bad) {
    // The body: chunked, or Content-Length bytes.
    bool expect = EqualsNoCase(req.Header("Expect"), "100-continue");
    std::string te = req.Header("Transfer-Encoding");
    std::string cl = req.Header("Content-Length");
    if ((!te.empty() || (!cl.empty() && cl != "0")) && expect &&
        !c->Write("HTTP/1.1 100 Continue\r\n\r\n"))
      return false;
    if (te.find("chunked") != std::string::npos) {
      while (true) {
        if (!c->Line(&line)) return false;
        char* end = nullptr;
        unsigned long long size = std::strtoull(line.c_str(), &end, 16);
        if (end == line.c_str() || req.body.size() + size > kMaxBody) return false;
        if (size == 0) break;
        if (!c->Bytes(size, &req.body) || !c->Line(&line)) return false;
      }
      do {  // trailers up to the blank line
        if (!c->Line(&line)) return false;
      } while (!line.empty());
    } else if (!cl.empty()) {
      char* end = nullptr;
      unsigned long long size = std::strtoull(cl.c_str(), &end, 10);
      if (*end || size > kMaxBody) {
        bad = true;
        keep = false;
      } else if (!c->Bytes(size, &req.body)) {
        return false;
      }
    }
  }
  if (bad) {
    res.status = 400;
    keep = false;
  } else if (req.method != "GET" && req.method != "POST" && req.method != "PUT" &&
             req.method != "PATCH" && req.method != "DELETE") {
    res.status = 400;
  } else {
    try {
      handler_(req, &res);
    } catch (const std::exception&) {
      res = HttpResponse();
      res.status = 500;
    }
  }
  std::string out = "HTTP/1.1 " + std::to_string(res.status) + " " + Reason(res.status) + "\r\n";
  for (const auto& [name, value] : res.headers) out += name + ": " + value + "\r\n";
  if (!res.content_type.empty()) out += "Content-Type: " + res.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
  if (!keep) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head_only) out += res.body;
  return c->Write(out) && keep;
}

}  // namespace cairn::emulators
