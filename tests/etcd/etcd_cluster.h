// Real etcd servers for the tests: one or three members started from Debian's etcd-server on
// free 127.0.0.1 ports in a temporary directory, stopped (SIGKILL) when the object dies.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "tests/support/test_support.h"

namespace cairn::testing {

/// A running etcd cluster. Start() reports a missing etcd binary as an error: CI installs
/// etcd-server, so a test must fail rather than skip without it.
class EtcdCluster {
 public:
  explicit EtcdCluster(int members) : members_(members) {}

  /// Before Start: serve clients over TLS with `cert`/`key`, and require client certificates
  /// signed by `ca`. The readiness check uses `client_cert`/`client_key`.
  void UseTls(std::string ca, std::string cert, std::string key, std::string client_cert,
              std::string client_key) {
    tls_ = {std::move(ca), std::move(cert), std::move(key), std::move(client_cert),
            std::move(client_key)};
  }
  ~EtcdCluster();
  EtcdCluster(const EtcdCluster&) = delete;
  EtcdCluster& operator=(const EtcdCluster&) = delete;

  /// Starts every member and waits until the cluster answers requests; "" or what went wrong.
  std::string Start();
  /// Client URLs, in member order.
  std::vector<std::string> endpoints() const;
  /// SIGKILLs member `i` (as a power cut would).
  void Kill(int i);
  /// The index of the current leader, or -1 when no live member reports one.
  int Leader() const;
  /// The member's log (for failure messages).
  std::string Log(int i) const;

 private:
  struct Member {
    std::string name;
    int client_port = 0, peer_port = 0;
    pid_t pid = -1;
  };
  std::string StartMember(int i, const std::string& initial_cluster);
  /// One try of Start on fresh ports; *port_taken says a member lost its port to another process.
  std::string StartOnce(bool* port_taken);

  struct Tls {
    std::string ca, cert, key, client_cert, client_key;
  };
  std::string ClientUrl(int port) const;

  const int members_;
  Tls tls_;
  TempDir dir_;
  std::vector<Member> m_;
};

/// The etcd binary (etcd-server's /usr/bin/etcd), or "" when it is not installed.
std::string EtcdBinary();

}  // namespace cairn::testing
