#define CPPHTTPLIB_OPENSSL_SUPPORT
#include "tests/emulators/kube/kube_emulator.h"

#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <netinet/tcp.h>

#include "tests/emulators/kube/api_server.h"
#include "tests/emulators/kube/api_status.h"
#include "tests/emulators/kube/kube_util.h"
#include "tests/emulators/kube/tls_identity.h"
#include "tests/emulators/kube/yaml_json.h"

namespace cairn::emulators {
namespace {

/// Serves each accepted connection on a thread of its own, as the Go API server gives each one a
/// goroutine: a client's idle kept-alive connections never make another client wait (a fixed
/// pool would stall the connection after the last thread until an idle one timed out).
class ThreadPerConnection : public httplib::TaskQueue {
 public:
  explicit ThreadPerConnection(int max) : max_(max) {}
  void enqueue(std::function<void()> fn) override {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return active_ < max_; });
    ++active_;
    std::thread([this, fn = std::move(fn)] {
      fn();
      std::lock_guard<std::mutex> done(mu_);
      --active_;
      idle_.notify_all();
    }).detach();
  }
  void shutdown() override {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return active_ == 0; });
  }

 private:
  const int max_;
  std::mutex mu_;
  std::condition_variable idle_;
  int active_ = 0;
};

}  // namespace

/// The HTTP(S) side: the listener, its thread, the request log and scripted failures.
struct KubeEmulator::Http {
  std::unique_ptr<TlsIdentity> tls;
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
  mutable std::mutex mu;
  std::vector<std::string> log;  // "METHOD /path?query"
  std::vector<KubeFailure> failures;
};

KubeEmulator::KubeEmulator(KubeEmulatorOptions options)
    : options_(std::move(options)),
      api_(std::make_unique<ApiServer>(options_)),
      http_(std::make_unique<Http>()) {}

KubeEmulator::~KubeEmulator() { Stop(); }

Status KubeEmulator::Start() {
  if (http_->server) return Status::Error("the Kubernetes emulator is already running");
  if (options_.tls) {
    if (!http_->tls) http_->tls = std::make_unique<TlsIdentity>();
    if (!http_->tls->ok()) return Status::Error("could not generate the emulator's certificate");
    ca_pem_ = http_->tls->ca_pem();
    http_->server =
        std::make_unique<httplib::SSLServer>(http_->tls->server_cert(), http_->tls->server_key());
  } else {
    http_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *http_->server;
  int max = options_.max_connections > 0 ? options_.max_connections : 1024;
  s.new_task_queue = [max] { return new ThreadPerConnection(max); };
  // Like the Go server, a connection serves any number of requests (httplib's default is 5,
  // which would make clients reconnect, and redo the TLS handshake, every fifth request).
  s.set_keep_alive_max_count(1000000);
  // Accepted sockets inherit TCP_NODELAY; without it small responses wait for delayed ACKs.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  });
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    KubeRequest kr;
    kr.method = req.method;
    kr.path = req.path;
    for (const auto& [k, v] : req.params) kr.query[k] = v;
    kr.content_type = req.get_header_value("Content-Type");
    kr.accept = req.get_header_value("Accept");
    kr.user_agent = req.get_header_value("User-Agent");
    kr.body = req.body;
    std::string line = req.method + " " + req.path;
    if (!req.params.empty()) {
      std::string q;
      for (const auto& [k, v] : req.params) q += (q.empty() ? "?" : "&") + k + "=" + v;
      line += q;
    }
    {
      std::lock_guard<std::mutex> lock(http_->mu);
      http_->log.push_back(line);
    }
    KubeResponse out = Serve(kr, req.get_header_value("Authorization"));
    // kube-apiserver gzips a response only when the client accepts gzip and it is 128 KiB or
    // more, at level 1 (fast); it never uses brotli. The body is compressed here, and httplib,
    // which would pick an encoding (at its own level) from the request's Accept-Encoding after
    // this handler, is kept from doing so by removing that header (the request is not const in
    // httplib).
    bool gzip = out.body.size() >= (size_t{128} << 10) &&
                req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
    const_cast<httplib::Headers&>(req.headers).erase("Accept-Encoding");
    res.status = out.code;
    for (const auto& [k, v] : out.headers) res.set_header(k, v);
    res.set_content("", 0, out.content_type);
    std::string packed = gzip ? GzipFast(out.body) : "";
    if (!packed.empty()) {
      res.set_header("Content-Encoding", "gzip");
      res.body = std::move(packed);
    } else {
      res.body = std::move(out.body);
    }
  };
  const char* any = ".*";
  s.Get(any, handler);
  s.Post(any, handler);
  s.Put(any, handler);
  s.Patch(any, handler);
  s.Delete(any, handler);
  int port = options_.port > 0 ? (s.bind_to_port("127.0.0.1", options_.port) ? options_.port : -1)
                               : s.bind_to_any_port("127.0.0.1");
  if (port <= 0) {
    http_->server.reset();
    return Status::Error("the Kubernetes emulator could not listen on 127.0.0.1:" +
                         std::to_string(options_.port));
  }
  port_ = port;
  http_->thread = std::thread([this] { http_->server->listen_after_bind(); });
  while (!http_->server->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void KubeEmulator::Stop() {
  if (!http_->server) return;
  http_->server->stop();
  if (http_->thread.joinable()) http_->thread.join();
  http_->server.reset();
}

std::string KubeEmulator::url() const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

std::string KubeEmulator::WriteKubeconfig(const std::string& path) const {
  std::ostringstream out;
  out << "apiVersion: v1\nkind: Config\nclusters:\n- name: emulator\n  cluster:\n"
      << "    server: " << url() << "\n";
  if (!ca_pem_.empty()) out << "    certificate-authority-data: " << Base64Encode(ca_pem_) << "\n";
  out << "contexts:\n- name: emulator\n  context:\n    cluster: emulator\n    user: emulator\n"
      << "    namespace: default\ncurrent-context: emulator\nusers:\n- name: emulator\n";
  if (options_.token.empty()) {
    out << "  user: {}\n";
  } else {
    out << "  user:\n    token: " << options_.token << "\n";
  }
  std::string text = out.str();
  if (!path.empty()) std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  return text;
}

Status KubeEmulator::LoadCrdFile(const std::string& yaml_path) {
  std::ifstream in(yaml_path, std::ios::binary);
  if (!in) return Status::Error("cannot read " + yaml_path);
  std::stringstream buf;
  buf << in.rdbuf();
  return LoadCrdText(buf.str(), yaml_path);
}

Status KubeEmulator::LoadCrdText(const std::string& yaml, const std::string& origin) {
  Result<std::vector<nlohmann::json>> docs = ParseYamlDocuments(yaml);
  if (!docs.ok()) return Status::Error(origin + ": " + docs.status().message());
  return api_->LoadCrds(*docs, origin);
}

size_t KubeEmulator::request_count(const std::string& method_prefix) const {
  std::lock_guard<std::mutex> lock(http_->mu);
  size_t n = 0;
  for (const std::string& line : http_->log)
    if (line.compare(0, method_prefix.size(), method_prefix) == 0) ++n;
  return n;
}

std::vector<std::string> KubeEmulator::requests() const {
  std::lock_guard<std::mutex> lock(http_->mu);
  return http_->log;
}

void KubeEmulator::ClearRequests() {
  std::lock_guard<std::mutex> lock(http_->mu);
  http_->log.clear();
}

void KubeEmulator::InjectFailure(KubeFailure failure) {
  std::lock_guard<std::mutex> lock(http_->mu);
  http_->failures.push_back(std::move(failure));
}

void KubeEmulator::ExpireContinueTokens() { api_->ExpireContinueTokens(); }

KubeResponse KubeEmulator::Handle(const KubeRequest& request) { return api_->Handle(request); }

KubeResponse KubeEmulator::Serve(const KubeRequest& request, const std::string& authorization) {
  {
    std::lock_guard<std::mutex> lock(http_->mu);
    for (auto it = http_->failures.begin(); it != http_->failures.end(); ++it) {
      if (!it->method.empty() && it->method != request.method) continue;
      if (request.path.compare(0, it->path_prefix.size(), it->path_prefix) != 0) continue;
      KubeResponse r = Unavailable(it->code, it->retry_after_seconds);
      if (--it->count <= 0) http_->failures.erase(it);
      return r;
    }
  }
  if (!options_.token.empty() && authorization != "Bearer " + options_.token) {
    // Health endpoints answer anonymous probes, as kube-apiserver does by default.
    if (request.path != "/healthz" && request.path != "/readyz" && request.path != "/livez")
      return Unauthorized();
  }
  return api_->Handle(request);
}

}  // namespace cairn::emulators
