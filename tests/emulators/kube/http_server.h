// The emulator's HTTP/1.1 server: a thread per connection, any number of requests per kept-alive
// connection, plain or TLS.
//
// It exists instead of a general-purpose HTTP library because the emulator's CPU time is part of
// what benchmarks of Kubernetes clients measure: requests are read through a buffer (one TLS read
// per record, not per byte) and each response goes out in one write.
//
// Served: request bodies by Content-Length or chunked, "Expect: 100-continue", HEAD as GET
// without a body, "Connection: close" and HTTP/1.0. Idle kept-alive connections are closed after
// 5 s, requests that stall for 5 s too. Not served: HTTP/2, pipelined requests answered before
// their predecessors (they are read in order), trailers.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <openssl/ssl.h>

namespace cairn::emulators {

/// Case-insensitive ordering for header names.
struct HeaderLess {
  bool operator()(const std::string& a, const std::string& b) const;
};

/// One parsed request.
struct HttpRequest {
  std::string method;                              // "GET", "POST", ...; HEAD arrives as GET
  std::string path;                                // percent-decoded, without the query
  std::multimap<std::string, std::string> params;  // decoded query parameters, by name
  std::multimap<std::string, std::string, HeaderLess> headers;
  std::string body;

  /// The first value of a header, "" when absent.
  std::string Header(const std::string& name) const;
};

/// One response; Content-Length (and Connection when closing) are added when it is sent.
struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

using HttpHandler = std::function<void(const HttpRequest&, HttpResponse*)>;

/// Listens on 127.0.0.1 and serves every connection on a thread of its own.
class HttpServer {
 public:
  /// `cert` and `key` (both null for plain HTTP) are used, not owned.
  HttpServer(X509* cert, EVP_PKEY* key, int max_connections, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds (port 0: any free port) and starts accepting; returns the port, or -1.
  int Start(int port);
  /// Stops accepting, closes every connection and waits for their threads.
  void Stop();

 private:
  struct Connection;
  void AcceptLoop();
  void Serve(int fd);
  bool ServeOne(Connection* c);

  const int max_connections_;
  const HttpHandler handler_;
  SSL_CTX* ssl_ = nullptr;
  int listen_fd_ = -1;
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable changed_;
  std::set<int> open_;  // sockets of connections being served
  int active_ = 0;      // connection threads running
};

}  // namespace cairn::emulators
