#include "tests/etcd/etcd_cluster.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/state/etcd_client.h"

namespace cairn::testing {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

std::string Url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

}  // namespace

std::string EtcdBinary() {
  for (const char* p : {"/usr/bin/etcd", "/usr/local/bin/etcd"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

EtcdCluster::~EtcdCluster() {
  for (Member& m : m_) Kill(static_cast<int>(&m - m_.data()));
}

std::string EtcdCluster::ClientUrl(int port) const {
  return tls_.ca.empty() ? Url(port) : "https://127.0.0.1:" + std::to_string(port);
}

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (const Member& m : m_) out.push_back(ClientUrl(m.client_port));
  return out;
}

void EtcdCluster::Kill(int i) {
  Member& m = m_[static_cast<size_t>(i)];
  if (m.pid <= 0) return;
  kill(m.pid, SIGKILL);
  waitpid(m.pid, nullptr, 0);
  m.pid = -1;
}

std::string EtcdCluster::Log(int i) const {
  std::string path = dir_.Join(m_[static_cast<size_t>(i)].name + ".log");
  return FileExists(path) ? ReadFile(path) : "";
}

std::string EtcdCluster::StartMember(int i, const std::string& initial_cluster) {
  const Member& m = m_[static_cast<size_t>(i)];
  std::vector<std::string> argv = {
      EtcdBinary(),
      "--name=" + m.name,
      "--data-dir=" + dir_.Join(m.name + ".etcd"),
      "--listen-client-urls=" + ClientUrl(m.client_port),
      "--advertise-client-urls=" + ClientUrl(m.client_port),
      "--listen-peer-urls=" + Url(m.peer_port),
      "--initial-advertise-peer-urls=" + Url(m.peer_port),
      "--initial-cluster=" + initial_cluster,
      "--initial-cluster-state=new",
      "--initial-cluster-token=cairn-test",
      // Generous timings: the test machine may be busy, and a spurious election only slows the
      // test, but a too-eager one can make it flap.
      "--heartbeat-interval=200",
      "--election-timeout=2000",
  };
  if (!tls_.ca.empty()) {
    argv.push_back("--cert-file=" + tls_.cert);
    argv.push_back("--key-file=" + tls_.key);
    argv.push_back("--trusted-ca-file=" + tls_.ca);
    argv.push_back("--client-cert-auth");
  }
  pid_t pid = fork();
  if (pid == 0) {
    int log = open(dir_.Join(m.name + ".log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  if (pid < 0) return "cannot fork etcd";
  m_[static_cast<size_t>(i)].pid = pid;
  return "";
}

std::string EtcdCluster::Start() {
  if (EtcdBinary().empty()) {
    return "etcd is not installed: these tests need a real etcd server (Debian package "
           "etcd-server; .ci/install-deps.sh installs it)";
  }
  // FreePort's port is free when it answers, not when etcd binds it: a test running beside
  // this one may take it first. Such a start is retried on other ports.
  std::string err;
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool port_taken = false;
    err = StartOnce(&port_taken);
    if (err.empty() || !port_taken) return err;
    for (int i = 0; i < members_; ++i) {
      Kill(i);
      std::filesystem::remove_all(dir_.Join(m_[static_cast<size_t>(i)].name + ".etcd"));
    }
    m_.clear();
  }
  return err;
}

std::string EtcdCluster::StartOnce(bool* port_taken) {
  std::string initial;
  for (int i = 0; i < members_; ++i) {
    Member m;
    m.name = "m" + std::to_string(i);
    m.client_port = FreePort();
    m.peer_port = FreePort();
    initial += (i ? "," : "") + m.name + "=" + Url(m.peer_port);
    m_.push_back(m);
  }
  for (int i = 0; i < members_; ++i) {
    std::string err = StartMember(i, initial);
    if (!err.empty()) return err;
  }
  // Ready once every member answers a linearizable read (which needs a leader). Asked a second
  // at a time, so that a member that exited (a port taken, a bad flag) is seen at once.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  for (int i = 0; i < members_; ++i) {
    state::EtcdOptions o;
    o.endpoints = {endpoints()[static_cast<size_t>(i)]};
    o.retry_for = std::chrono::milliseconds(1000);
    o.ca = tls_.ca;
    o.cert = tls_.client_cert;
    o.key = tls_.client_key;
    state::EtcdClient c(o);
    while (true) {
      Result<state::EtcdRange> r = c.Range("/cairn-test-ready");
      if (r.ok()) break;
      Member& m = m_[static_cast<size_t>(i)];
      bool exited = waitpid(m.pid, nullptr, WNOHANG) == m.pid;
      if (exited) m.pid = -1;
      if (exited || std::chrono::steady_clock::now() > deadline) {
        *port_taken = exited && Log(i).find("address already in use") != std::string::npos;
        return "etcd member " + std::to_string(i) + (exited ? " exited" : " did not start") + ": " +
               r.status().message() + "\n" + Log(i);
      }
    }
  }
  return "";
}

int EtcdCluster::Leader() const {
  for (size_t i = 0; i < m_.size(); ++i) {
    if (m_[i].pid <= 0) continue;
    state::EtcdOptions o;
    o.endpoints = {endpoints()[i]};
    o.retry_for = std::chrono::milliseconds(2000);
    state::EtcdClient c(o);
    Result<nlohmann::json> s = c.Call("maintenance/status", nlohmann::json::object());
    if (!s.ok()) continue;
    std::string leader = s->value("leader", "");
    std::string self = (*s)["header"].value("member_id", "");
    if (!leader.empty() && leader == self) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace cairn::testing
