#include "tests/dns_powerdns/pdns_server.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cairn::testing {
namespace {

const char kSchema[] = "/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql";

// Binds `type` to 127.0.0.1:port (0 = any); returns the bound port, or 0 when it is taken.
int BindPort(int type, int port) {
  int fd = socket(AF_INET, type, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  int got = 0;
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    got = ntohs(a.sin_port);
  close(fd);
  return got;
}

// A port free for both TCP and UDP (DNS listens on both).
int FreeDnsPort() {
  for (int i = 0; i < 50; ++i) {
    int port = BindPort(SOCK_STREAM, 0);
    if (port != 0 && BindPort(SOCK_DGRAM, port) == port) return port;
  }
  return 0;
}

}  // namespace

std::string FindProgram(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::stringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

PdnsServer::~PdnsServer() { Stop(); }

std::string PdnsServer::Start() {
  std::string pdns = FindProgram("pdns_server");
  std::string sqlite = FindProgram("sqlite3");
  if (pdns.empty())
    return "pdns_server is not installed (apt-get install pdns-server pdns-backend-sqlite3; "
           ".ci/install-deps.sh installs it)";
  if (sqlite.empty()) return "sqlite3 is not installed (apt-get install sqlite3)";
  if (!std::filesystem::exists(kSchema))
    return std::string("the sqlite3 backend is not installed: no ") + kSchema +
           " (apt-get install pdns-backend-sqlite3)";
  if (FindProgram("dig").empty()) return "dig is not installed (apt-get install bind9-dnsutils)";

  std::string db = dir_.Join("pdns.sqlite3");
  CommandResult made = RunCommand({"sh", "-c", sqlite + " '" + db + "' < " + kSchema});
  if (made.exit_code != 0) return "creating the database failed: " + made.err;
  dns_port_ = FreeDnsPort();
  api_port_ = BindPort(SOCK_STREAM, 0);
  if (dns_port_ == 0 || api_port_ == 0) return "no free port on 127.0.0.1";
  WriteFile(
      dir_.Join("pdns.conf"),
      "launch=gsqlite3\n"
      "gsqlite3-pragma-journal-mode=WAL\n"
      "gsqlite3-database=" +
          db +
          "\n"
          "local-address=127.0.0.1\n"
          "local-port=" +
          std::to_string(dns_port_) +
          "\n"
          "webserver=yes\n"
          "webserver-address=127.0.0.1\n"
          "webserver-port=" +
          std::to_string(api_port_) +
          "\n"
          "webserver-allow-from=127.0.0.0/8\n"
          "api=yes\n"
          "api-key=" +
          api_key_ +
          "\n"
          "socket-dir=" +
          dir_.path() +
          "\n"
          "daemon=no\nguardian=no\ndisable-syslog=yes\nloglevel=5\n"
          "cache-ttl=0\nnegquery-cache-ttl=0\nquery-cache-ttl=0\nzone-cache-refresh-interval=0\n"
          "security-poll-suffix=\n");
  std::string log = dir_.Join("pdns.log");
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // no stray server when a test process dies
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::string config = "--config-dir=" + dir_.path();
    execl(pdns.c_str(), pdns.c_str(), config.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid_ < 0) return "fork failed";
  // Poll the API until it answers (generous: the machine may be busy).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "pdns_server exited at start:\n" + Log();
    }
    if (Api("GET", "/zones", "") == 200) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "pdns_server did not answer within 60s:\n" + Log();
}

void PdnsServer::Stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::vector<std::string> PdnsServer::Dig(const std::string& name, const std::string& type) const {
  CommandResult r = RunCommand({FindProgram("dig"), "@127.0.0.1", "-p", std::to_string(dns_port_),
                                "+short", "+norecurse", "+time=5", "+tries=3", name, type});
  std::vector<std::string> lines;
  std::stringstream in(r.out);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

int PdnsServer::Api(const std::string& method, const std::string& path, const std::string& json,
                    std::string* body) const {
  httplib::Client client("127.0.0.1", api_port_);
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  httplib::Headers headers = {{"X-API-Key", api_key_}};
  std::string full = "/api/v1/servers/localhost" + path;
  auto send = [&]() -> httplib::Result {
    if (method == "GET") return client.Get(full, headers);
    if (method == "DELETE") return client.Delete(full, headers);
    if (method == "POST") return client.Post(full, headers, json, "application/json");
    return client.Patch(full, headers, json, "application/json");
  };
  httplib::Result r = send();
  if (!r) return 0;
  if (body != nullptr) *body = r->body;
  return r->status;
}

std::string PdnsServer::Log() const { return ReadFile(dir_.Join("pdns.log")); }

}  // namespace cairn::testing
