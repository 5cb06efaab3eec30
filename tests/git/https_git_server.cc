#define CPPHTTPLIB_OPENSSL_SUPPORT
#include "tests/git/https_git_server.h"

#include <vector>

#include <fcntl.h>
#include <httplib.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/test_support.h"

extern char** environ;

namespace cairn::testing {
namespace {

// The CGI response of git http-backend: "Header: value" lines, a blank line, the body.
void ParseCgi(const std::string& out, httplib::Response& res) {
  size_t end = out.find("\r\n\r\n");
  size_t skip = 4;
  if (end == std::string::npos) {
    end = out.find("\n\n");
    skip = 2;
  }
  if (end == std::string::npos) {
    res.status = 502;
    return;
  }
  std::string headers = out.substr(0, end);
  std::string content_type = "text/plain";
  res.status = 200;
  size_t pos = 0;
  while (pos < headers.size()) {
    size_t nl = headers.find('\n', pos);
    std::string line = headers.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "Status") {
        res.status = std::atoi(value.c_str());
      } else if (name == "Content-Type") {
        content_type = value;
      } else {
        res.set_header(name.c_str(), value);
      }
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  res.set_content(out.substr(end + skip), content_type.c_str());
}

// Runs git http-backend for one request, its body on stdin, its output captured in a file.
void RunBackend(const std::string& root, const httplib::Request& req, httplib::Response& res) {
  TempDir scratch;
  WriteFile(scratch.Join("in"), req.body);
  std::string query;
  size_t q = req.target.find('?');
  if (q != std::string::npos) query = req.target.substr(q + 1);
  std::vector<std::string> env = {"GIT_PROJECT_ROOT=" + root,
                                  "GIT_HTTP_EXPORT_ALL=1",
                                  "PATH_INFO=" + req.path,
                                  "QUERY_STRING=" + query,
                                  "REQUEST_METHOD=" + req.method,
                                  "CONTENT_TYPE=" + req.get_header_value("Content-Type"),
                                  "CONTENT_LENGTH=" + std::to_string(req.body.size()),
                                  "GIT_PROTOCOL=" + req.get_header_value("Git-Protocol"),
                                  "REMOTE_ADDR=127.0.0.1",
                                  "PATH=/usr/bin:/bin",
                                  "GIT_CONFIG_NOSYSTEM=1",
                                  "HOME=" + scratch.path()};
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, scratch.Join("in").c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, scratch.Join("out").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  char git[] = "git", sub[] = "http-backend";
  char* argv[] = {git, sub, nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &fa, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    res.status = 500;
    return;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ParseCgi(ReadFile(scratch.Join("out")), res);
}

bool Run(const std::vector<std::string>& argv, const std::string& cwd, std::string* error) {
  CommandResult r = RunCommand(argv, cwd);
  if (r.exit_code == 0) return true;
  *error = argv[0] + " " + argv[1] + ": " + r.err;
  return false;
}

}  // namespace

HttpsGitServer::HttpsGitServer(std::string root, const std::string& cert_file,
                               const std::string& key_file)
    : root_(std::move(root)),
      server_(std::make_unique<httplib::SSLServer>(cert_file.c_str(), key_file.c_str())) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    RunBackend(root_, req, res);
  };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
}

HttpsGitServer::~HttpsGitServer() { Stop(); }

bool HttpsGitServer::Start() {
  if (!server_->is_valid()) return false;
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) return false;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return true;
}

void HttpsGitServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

bool MakeTestCertificates(const std::string& dir, const std::string& host, std::string* error) {
  WriteFile(dir + "/ext.cnf", "subjectAltName=DNS:" + host + "\n");
  return Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
              "-out", "ca.pem", "-days", "2", "-subj", "/CN=cairn test CA"},
             dir, error) &&
         Run({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out",
              "server.csr", "-subj", "/CN=" + host},
             dir, error) &&
         Run({"openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
              "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf"},
             dir, error);
}

}  // namespace cairn::testing
