// An emulator of the Kubernetes API server, for tests and benchmarks of Kubernetes clients.
//
// It is an EMULATOR, not a Kubernetes: it answers the REST API the way a Kubernetes 1.28 API
// server does (paths, status codes, Status bodies, server-side apply conflicts, paging, CRDs
// validated against their openAPIV3Schema), as described in shared/reference/APIS.md section 1,
// so that a client tested against it behaves the same against a real cluster.
//
// Modelled: discovery (/api, /apis, /apis/{g}/{v}, /version, a minimal /openapi/v3 that tells
// kubectl that fieldValidation is supported); GET, LIST (labelSelector =, ==, !=, in, notin,
// exists, !exists; fieldSelector on metadata.name and metadata.namespace only; limit + opaque
// continue tokens, 410 Expired for a token it did not issue or that was expired with
// ExpireContinueTokens), POST, PUT (optimistic concurrency on resourceVersion), DELETE
// (DeleteOptions accepted; removed at once, or once the last of its metadata.finalizers is
// removed, deletionTimestamp set meanwhile), PATCH as server-side apply, JSON merge patch
// and JSON patch; the status subresource for Deployments, StatefulSets and CRDs that enable it;
// managedFields per manager; uid, creationTimestamp, generation and a global resourceVersion;
// Namespaces (must exist for namespaced creates), Secrets' stringData, a few defaults
// (Service clusterIP, Secret type); Deployments and StatefulSets become Available (optionally
// after a delay); CRDs become Established (optionally after a delay) and then serve their kinds.
//
// HTTP: HTTP/1.1 (no HTTP/2), a thread per connection and no limit on requests per kept-alive
// connection (as the Go server); responses gzipped (level 1) only from 128 KiB when the client
// accepts gzip, never brotli.
//
// Simplified (documented so that nobody relies on it): managedFields use FieldsV1 with
// "f:<key>" entries only; every list is atomic (owned and replaced as a whole, no "k:" or "v:"
// keys, no x-kubernetes-list-type=map merging). Unknown fields of custom resources are pruned
// unless x-kubernetes-preserve-unknown-fields is set; fieldValidation=Strict rejects them with
// 400 BadRequest instead (Warn, the default, prunes and sends a Warning header). LIST returns the
// current state, not a snapshot at the first page's resourceVersion.
//
// Not modelled: watch, admission webhooks and CEL (x-kubernetes-validations), garbage collection
// (Foreground/Orphan behave like Background; a Namespace's objects go with it at once), real
// controllers (no Pods, ReplicaSets, Endpoints), RBAC (any valid token may do anything),
// field selectors beyond metadata.name/namespace, protobuf, strategic merge patch on custom
// resources, CRD conversion webhooks (served versions differ only in apiVersion), defaulting
// from CRD schemas, resourceVersion semantics on GET/LIST (always the latest), dryRun.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace cairn::emulators {

/// How a KubeEmulator listens and behaves.
struct KubeEmulatorOptions {
  bool tls = false;             // HTTPS with a freshly generated CA and server certificate
  std::string token;            // required bearer token; "" = no authentication
  int port = 0;                 // 0 = any free port on 127.0.0.1
  int crd_establish_ms = 0;     // delay before a created CRD is Established and served
  int deployment_ready_ms = 0;  // delay before Deployments/StatefulSets report Available
  int max_connections = 1024;   // connections served at once (a thread each)
  // Delay before a write (POST, PUT, PATCH, DELETE) is answered, after it is applied: what a
  // real API server's storage commit (etcd's fsync) adds to each write. Other connections are
  // served meanwhile. 0 = answer at once.
  int write_latency_ms = 0;
};

/// A scripted failure: the next `count` requests that match answer `code` with a Status body.
struct KubeFailure {
  std::string method;           // "GET", "PATCH", ...; "" matches any method
  std::string path_prefix;      // e.g. "/apis/apps/v1"; "" matches any path
  int count = 1;                // how many matching requests fail
  int code = 503;               // 429, 500, 503, 504, ...
  int retry_after_seconds = 1;  // Retry-After header and details.retryAfterSeconds; 0 = none
};

/// One request as the emulator's core sees it (also usable in-process, without HTTP).
struct KubeRequest {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string path;    // without the query, e.g. "/api/v1/namespaces/default/configmaps"
  std::map<std::string, std::string> query;  // decoded query parameters
  std::string content_type;
  std::string accept;
  std::string user_agent;
  std::string body;
};

/// The answer to a KubeRequest.
struct KubeResponse {
  int code = 200;
  std::string body;  // JSON
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Warning, Retry-After
};

class ApiServer;
struct HttpRequest;
struct HttpResponse;

/// An in-process Kubernetes API server emulator on 127.0.0.1 (HTTP or HTTPS with a generated
/// certificate, bearer-token auth); see the top of this file for what it does and does not model.
class KubeEmulator {
 public:
  explicit KubeEmulator(KubeEmulatorOptions options = {});
  ~KubeEmulator();
  KubeEmulator(const KubeEmulator&) = delete;
  KubeEmulator& operator=(const KubeEmulator&) = delete;

  /// Starts listening; returns once requests are accepted.
  Status Start();
  /// Stops listening (also done by the destructor). Stored objects survive a restart.
  void Stop();

  /// "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT"; valid after Start.
  std::string url() const;
  int port() const { return port_; }
  /// PEM of the CA that signed the server certificate; "" without TLS.
  std::string ca_pem() const { return ca_pem_; }

  /// Writes a kubeconfig (server, CA data, token; context "emulator", namespace "default")
  /// usable by clients and by kubectl, and returns its text. An empty path writes nothing.
  std::string WriteKubeconfig(const std::string& path) const;

  /// Creates every CustomResourceDefinition document in a YAML file (other kinds are skipped)
  /// and establishes them at once, whatever crd_establish_ms says.
  Status LoadCrdFile(const std::string& yaml_path);
  /// The same for YAML text.
  Status LoadCrdText(const std::string& yaml, const std::string& origin = "<text>");

  /// Number of requests received whose "METHOD /path" (no query) starts with `method_prefix`,
  /// e.g. "GET /api/v1" or "PATCH ". Failed and unauthorised requests count too.
  size_t request_count(const std::string& method_prefix = "") const;
  /// How many responses were sent gzipped (large, to a client that accepts gzip).
  size_t gzipped_responses() const;
  /// Every request line so far, in order ("GET /api/v1/namespaces/default/configmaps?limit=2").
  std::vector<std::string> requests() const;
  void ClearRequests();

  /// Makes the next matching requests fail (checked before authentication and routing).
  void InjectFailure(KubeFailure failure);
  /// Makes every continue token issued so far answer 410 Expired, as after etcd compaction.
  void ExpireContinueTokens();

  /// Serves one request in-process (no authentication, no failure injection, not counted).
  KubeResponse Handle(const KubeRequest& request);

 private:
  struct Http;
  void ServeHttp(const HttpRequest& request, HttpResponse* response);
  KubeResponse Serve(const KubeRequest& request, const std::string& authorization);

  const KubeEmulatorOptions options_;
  std::unique_ptr<ApiServer> api_;
  std::unique_ptr<Http> http_;
  int port_ = 0;
  std::string ca_pem_;
};

}  // namespace cairn::emulators
