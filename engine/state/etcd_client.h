// A small client for etcd's v3 HTTP/JSON gateway (etcd 3.4: /v3/kv/range, /v3/kv/txn,
// /v3/lease/...), with failover between the endpoints of a cluster.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace cairn::state {

/// Where an etcd cluster is and how to talk to it.
struct EtcdOptions {
  std::vector<std::string> endpoints;  // client URLs, e.g. https://10.0.0.1:2379
  std::string prefix = "/cairn/";      // every key cairn writes starts with this
  std::string ca, cert, key;           // TLS files (PEM); empty for the system CAs / no client cert
  int lock_ttl_seconds = 15;  // lease of the state lock; it expires this long after a crash
  /// How long one call keeps trying the endpoints (e.g. while a new leader is elected).
  std::chrono::milliseconds retry_for{30000};
};

/// One key-value pair as etcd returns it (key and value already base64-decoded).
struct EtcdKv {
  std::string key, value;
  int64_t create_revision = 0, mod_revision = 0, version = 0, lease = 0;
};

/// The parts of a range response cairn uses.
struct EtcdRange {
  std::vector<EtcdKv> kvs;
  bool more = false;
  int64_t revision = 0;  // the store's revision the answer reflects
};

/// Calls the gateway. Each call tries the current endpoint and, when it cannot be reached or
/// answers that the cluster has no leader right now, moves on to the next one, for up to
/// EtcdOptions::retry_for. Because a call may be repeated after its answer was lost, callers of
/// Txn check the outcome against what they meant to write. Thread-safe (calls are serialised).
class EtcdClient {
 public:
  explicit EtcdClient(EtcdOptions opts);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  const EtcdOptions& options() const { return opts_; }

  /// POST /v3/<path> with `body`; the decoded JSON answer.
  Result<nlohmann::json> Call(const std::string& path, const nlohmann::json& body);

  /// Keys in [key, range_end) (just `key` when range_end is empty), at `revision` (0: newest).
  Result<EtcdRange> Range(const std::string& key, const std::string& range_end = "",
                          int64_t revision = 0, int64_t limit = 0, bool keys_only = false);
  /// Runs a transaction; `*succeeded` says which branch ran. Returns the raw answer.
  using Ops = std::vector<nlohmann::json>;
  Result<nlohmann::json> Txn(const Ops& compare, const Ops& success, const Ops& failure,
                             bool* succeeded);
  Result<int64_t> LeaseGrant(int ttl_seconds);
  /// The lease's remaining TTL in seconds after refreshing it; 0 when it no longer exists.
  Result<int64_t> LeaseKeepAlive(int64_t lease);
  Status LeaseRevoke(int64_t lease);

 private:
  Result<std::string> Post(const std::string& url, const std::string& body, long* http_code);

  const EtcdOptions opts_;
  std::mutex mu_;
  void* curl_ = nullptr;  // CURL*, reused for its connections
  size_t current_ = 0;    // index of the endpoint that answered last
};

/// Builders for the JSON of transaction parts (keys and values are raw; they are encoded here).
nlohmann::json EtcdCompareCreateRevision(const std::string& key, int64_t revision);
nlohmann::json EtcdCompareModRevision(const std::string& key, int64_t revision);
nlohmann::json EtcdPut(const std::string& key, const std::string& value, int64_t lease = 0);
nlohmann::json EtcdDeleteRange(const std::string& key, const std::string& range_end = "");
nlohmann::json EtcdRangeOp(const std::string& key, const std::string& range_end = "");
/// A range as a transaction operation ({"request_range": ...}).
nlohmann::json EtcdRangeRequest(const std::string& key, const std::string& range_end = "");

/// The first key after every key starting with `prefix` (etcd's range_end for a prefix).
std::string EtcdPrefixEnd(const std::string& prefix);
/// The key-values in a range response (or in a txn's response_range).
std::vector<EtcdKv> EtcdKvsFrom(const nlohmann::json& range_response);
/// The key-values of the i-th response of a transaction answer (a response_range).
std::vector<EtcdKv> EtcdTxnRange(const nlohmann::json& txn_answer, size_t i);

}  // namespace cairn::state
