// A real git smart-HTTP server for tests: git's own `git http-backend` (a CGI program) behind a
// cpp-httplib TLS server on 127.0.0.1, serving the repositories in one folder read-only. It
// exists so that https remotes with a private CA are tested against git itself.
#pragma once

#include <memory>
#include <string>
#include <thread>

namespace httplib {
class SSLServer;
}

namespace cairn::testing {

class HttpsGitServer {
 public:
  /// Serves the repositories under `root` with the PEM certificate and key given.
  HttpsGitServer(std::string root, const std::string& cert_file, const std::string& key_file);
  ~HttpsGitServer();
  HttpsGitServer(const HttpsGitServer&) = delete;
  HttpsGitServer& operator=(const HttpsGitServer&) = delete;

  /// Listens on 127.0.0.1 (a free port); false when it cannot.
  bool Start();
  void Stop();
  int port() const { return port_; }

 private:
  std::string root_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = -1;
};

/// Makes a test CA and a server certificate for `host` signed by it, with the openssl program,
/// in `dir` (ca.pem, server.pem, server.key); false (with the reason in *error) on failure.
bool MakeTestCertificates(const std::string& dir, const std::string& host, std::string* error);

}  // namespace cairn::testing
