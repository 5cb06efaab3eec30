// A real PowerDNS Authoritative server for tests: Debian's pdns_server with the sqlite3 backend,
// started in a temporary folder on free 127.0.0.1 ports (DNS on UDP+TCP, the HTTP API with an
// API key), and stopped when the object dies. Answers are checked with dig.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "tests/support/test_support.h"

namespace cairn::testing {

/// One running pdns_server; Start() says why it could not start (a missing binary included).
class PdnsServer {
 public:
  PdnsServer() = default;
  ~PdnsServer();
  PdnsServer(const PdnsServer&) = delete;
  PdnsServer& operator=(const PdnsServer&) = delete;

  /// Creates the database from Debian's schema, writes pdns.conf and starts the server; returns
  /// "" once the API answers, else what went wrong.
  std::string Start();
  void Stop();

  int dns_port() const { return dns_port_; }
  std::string api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
  const std::string& api_key() const { return api_key_; }

  /// The answers of `dig +short` for `name` and `type` against the server, sorted.
  std::vector<std::string> Dig(const std::string& name, const std::string& type) const;
  /// An API request (method, path under /api/v1/servers/localhost, JSON body); returns the
  /// status and fills `body`.
  int Api(const std::string& method, const std::string& path, const std::string& json,
          std::string* body = nullptr) const;
  /// The server's log so far (for failure messages).
  std::string Log() const;

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int dns_port_ = 0;
  int api_port_ = 0;
  std::string api_key_ = "test-api-key-7f3a";
};

/// Path of a program found on PATH or in the sbin folders, or "".
std::string FindProgram(const std::string& name);

}  // namespace cairn::testing
