#include "tests/emulators/kube/kube_emulator.h"

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "tests/emulators/kube/api_server.h"
#include "tests/emulators/kube/api_status.h"
#include "tests/emulators/kube/http_server.h"
#include "tests/emulators/kube/kube_util.h"
#include "tests/emulators/kube/tls_identity.h"
#include "tests/emulators/kube/yaml_json.h"

namespace cairn::emulators {

/// The HTTP(S) side: the listener, the request log and scripted failures.
struct KubeEmulator::Http {
  std::unique_ptr<TlsIdentity> tls;
  std::unique_ptr<HttpServer> server;
  mutable std::mutex mu;
  std::vector<std::string> log;  // "METHOD /path?query"
  size_t gzipped = 0;            // responses sent with Content-Encoding: gzip
  std::vector<KubeFailure> failures;
};

KubeEmulator::KubeEmulator(KubeEmulatorOptions options)
    : options_(std::move(options)),
      api_(std::make_unique<ApiServer>(options_)),
      http_(std::make_unique<Http>()) {}

KubeEmulator::~KubeEmulator() { Stop(); }

Status KubeEmulator::Start() {
  if (http_->server) return Status::Error("the Kubernetes emulator is already running");
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  if (options_.tls) {
    if (!http_->tls) http_->tls = std::make_unique<TlsIdentity>();
    if (!http_->tls->ok()) return Status::Error("could not generate the emulator's certificate");
    ca_pem_ = http_->tls->ca_pem();
    cert = http_->tls->server_cert();
    key = http_->tls->server_key();
  }
  // A thread per connection and any number of requests per connection, as the Go server.
  http_->server = std::make_unique<HttpServer>(
      cert, key, options_.max_connections,
      [this](const HttpRequest& req, HttpResponse* res) { ServeHttp(req, res); });
  int port = http_->server->Start(options_.port);
  if (port <= 0) {
    http_->server.reset();
    return Status::Error("the Kubernetes emulator could not listen on 127.0.0.1:" +
                         std::to_string(options_.port));
  }
  port_ = port;
  return Status::Ok();
}

void KubeEmulator::ServeHttp(const HttpRequest& req, HttpResponse* res) {
  KubeRequest kr;
  kr.method = req.method;
  kr.path = req.path;
  for (const auto& [k, v] : req.params) kr.query[k] = v;
  kr.content_type = req.Header("Content-Type");
  kr.accept = req.Header("Accept");
  kr.user_agent = req.Header("User-Agent");
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
  KubeResponse out = Serve(kr, req.Header("Authorization"));
  if (options_.write_latency_ms > 0 && kr.method != "GET" && kr.method != "HEAD")
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.write_latency_ms));
  // kube-apiserver gzips a response only when the client accepts gzip and it is 128 KiB or
  // more, at level 1 (fast); it never uses brotli.
  bool gzip = out.body.size() >= (size_t{128} << 10) &&
              req.Header("Accept-Encoding").find("gzip") != std::string::npos;
  res->status = out.code;
  res->headers = std::move(out.headers);
  res->content_type = out.content_type;
  std::string packed = gzip ? GzipFast(out.body) : "";
  if (!packed.empty()) {
    res->headers.emplace_back("Content-Encoding", "gzip");
    res->body = std::move(packed);
    std::lock_guard<std::mutex> lock(http_->mu);
    ++http_->gzipped;
  } else {
    res->body = std::move(out.body);
  }
}

void KubeEmulator::Stop() {
  if (!http_->server) return;
  http_->server->Stop();
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

size_t KubeEmulator::gzipped_responses() const {
  std::lock_guard<std::mutex> lock(http_->mu);
  return http_->gzipped;
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
