#include "engine/state/etcd_client.h"

#include <algorithm>
#include <thread>

#include <curl/curl.h>

#include "engine/base/lazy_curl.h"
#include "engine/state/cipher.h"

namespace cairn::state {
namespace {

constexpr long kConnectTimeoutMs = 2000;
constexpr long kRequestTimeoutMs = 8000;

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// The gateway writes int64 fields as JSON strings ("revision": "12").
int64_t Int(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    try {
      return std::stoll(it->get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

std::string Decoded(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  std::string out;
  if (it != j.end() && it->is_string()) Base64Decode(it->get<std::string>(), &out);
  return out;
}

// Answers that mean "try again, perhaps elsewhere": no leader yet, a leader change, overload.
bool Transient(long http_code, const std::string& body) {
  if (http_code >= 500) return body.find("too large") == std::string::npos;
  return body.find("leader") != std::string::npos || body.find("timed out") != std::string::npos ||
         body.find("too many requests") != std::string::npos;
}

std::string ErrorText(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object()) {
    for (const char* key : {"error", "message"}) {
      auto it = j.find(key);
      if (it != j.end() && it->is_string()) return it->get<std::string>();
    }
  }
  return body.substr(0, 200);
}

}  // namespace

EtcdClient::EtcdClient(EtcdOptions opts) : opts_(std::move(opts)) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  curl_ = curl_easy_init();
}

EtcdClient::~EtcdClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

Result<std::string> EtcdClient::Post(const std::string& url, const std::string& body,
                                     long* http_code) {
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) return Status::Error("cannot talk to etcd: " + CurlLoadError());
  curl_easy_reset(c);
  std::string answer;
  struct curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kRequestTimeoutMs);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // state never goes through an HTTP proxy
  if (!opts_.ca.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, opts_.ca.c_str());
  if (!opts_.cert.empty()) curl_easy_setopt(c, CURLOPT_SSLCERT, opts_.cert.c_str());
  if (!opts_.key.empty()) curl_easy_setopt(c, CURLOPT_SSLKEY, opts_.key.c_str());
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM ||
      rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CIPHER) {
    // Another endpoint or a second try will not fix a certificate.
    return Status::Error(std::string(curl_easy_strerror(rc)) + " (" + url + ")",
                         "check state.tls (ca, cert, key) against the etcd certificates");
  }
  if (rc != CURLE_OK) return Status::WithCode(Status::Code::kRetryable, curl_easy_strerror(rc));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http_code);
  return answer;
}

Result<nlohmann::json> EtcdClient::Call(const std::string& path, const nlohmann::json& body) {
  if (opts_.endpoints.empty()) {
    return Status::Error("no etcd endpoints are configured",
                         "set state.endpoints in the blueprint or pass --etcd-endpoint URL");
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (curl_ == nullptr) return Status::Error("cannot initialise libcurl");
  const std::string text = body.dump();
  const auto deadline = std::chrono::steady_clock::now() + opts_.retry_for;
  auto pause = std::chrono::milliseconds(100);
  std::string last;
  for (size_t attempt = 0;; ++attempt) {
    const std::string& endpoint = opts_.endpoints[current_ % opts_.endpoints.size()];
    std::string base = endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    long code = 0;
    Result<std::string> answer = Post(base + "/v3/" + path, text, &code);
    if (!answer.ok() && answer.status().code() != Status::Code::kRetryable) {
      return answer.status();
    }
    if (answer.ok() && code == 200) {
      nlohmann::json j = nlohmann::json::parse(*answer, nullptr, false);
      if (j.is_object()) return j;
      return Status::Error("etcd at " + endpoint + " sent an answer that is not JSON");
    }
    if (answer.ok() && !Transient(code, *answer)) {
      return Status::Error("etcd at " + endpoint + " refused " + path + " (HTTP " +
                           std::to_string(code) + "): " + ErrorText(*answer));
    }
    last = endpoint + ": " + (answer.ok() ? ErrorText(*answer) : answer.status().message());
    current_ = (current_ + 1) % opts_.endpoints.size();
    if (std::chrono::steady_clock::now() >= deadline) break;
    // After every endpoint failed once, wait a little (an election takes about a second).
    if ((attempt + 1) % opts_.endpoints.size() == 0) {
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(1000));
    }
  }
  return Status::WithCode(
      Status::Code::kRetryable,
      "etcd did not answer " + path + " for " + std::to_string(opts_.retry_for.count() / 1000) +
          " s; last error from " + last,
      "check that the etcd members in state.endpoints run and that a majority of them is up");
}

Result<EtcdRange> EtcdClient::Range(const std::string& key, const std::string& range_end,
                                    int64_t revision, int64_t limit, bool keys_only) {
  nlohmann::json body = EtcdRangeOp(key, range_end);
  if (revision > 0) body["revision"] = std::to_string(revision);
  if (limit > 0) body["limit"] = std::to_string(limit);
  if (keys_only) body["keys_only"] = true;
  Result<nlohmann::json> j = Call("kv/range", body);
  if (!j.ok()) return j.status();
  EtcdRange out;
  out.kvs = EtcdKvsFrom(*j);
  out.more = j->value("more", false);
  if (auto h = j->find("header"); h != j->end()) out.revision = Int(*h, "revision");
  return out;
}

Result<nlohmann::json> EtcdClient::Txn(const Ops& compare, const Ops& success, const Ops& failure,
                                       bool* succeeded) {
  nlohmann::json body = nlohmann::json::object();
  body["compare"] = nlohmann::json(compare);
  body["success"] = nlohmann::json(success);
  body["failure"] = nlohmann::json(failure);
  Result<nlohmann::json> j = Call("kv/txn", body);
  if (!j.ok()) return j;
  *succeeded = j->value("succeeded", false);
  return j;
}

Result<int64_t> EtcdClient::LeaseGrant(int ttl_seconds) {
  Result<nlohmann::json> j = Call("lease/grant", {{"TTL", std::to_string(ttl_seconds)}});
  if (!j.ok()) return j.status();
  int64_t id = Int(*j, "ID");
  if (id == 0) return Status::Error("etcd granted no lease: " + j->dump());
  return id;
}

Result<int64_t> EtcdClient::LeaseKeepAlive(int64_t lease) {
  Result<nlohmann::json> j = Call("lease/keepalive", {{"ID", std::to_string(lease)}});
  if (!j.ok()) return j.status();
  auto result = j->find("result");
  if (result == j->end()) return int64_t{0};
  return Int(*result, "TTL");
}

Status EtcdClient::LeaseRevoke(int64_t lease) {
  Result<nlohmann::json> j = Call("lease/revoke", {{"ID", std::to_string(lease)}});
  if (!j.ok() && j.status().message().find("not found") == std::string::npos) return j.status();
  return Status::Ok();
}

nlohmann::json EtcdCompareCreateRevision(const std::string& key, int64_t revision) {
  return {{"key", Base64Encode(key)},
          {"target", "CREATE"},
          {"result", "EQUAL"},
          {"create_revision", std::to_string(revision)}};
}

nlohmann::json EtcdCompareModRevision(const std::string& key, int64_t revision) {
  return {{"key", Base64Encode(key)},
          {"target", "MOD"},
          {"result", "EQUAL"},
          {"mod_revision", std::to_string(revision)}};
}

nlohmann::json EtcdPut(const std::string& key, const std::string& value, int64_t lease) {
  nlohmann::json put = {{"key", Base64Encode(key)}, {"value", Base64Encode(value)}};
  if (lease != 0) put["lease"] = std::to_string(lease);
  return {{"request_put", put}};
}

nlohmann::json EtcdDeleteRange(const std::string& key, const std::string& range_end) {
  nlohmann::json del = {{"key", Base64Encode(key)}};
  if (!range_end.empty()) del["range_end"] = Base64Encode(range_end);
  return {{"request_delete_range", del}};
}

nlohmann::json EtcdRangeOp(const std::string& key, const std::string& range_end) {
  nlohmann::json r = {{"key", Base64Encode(key)}};
  if (!range_end.empty()) r["range_end"] = Base64Encode(range_end);
  return r;
}

nlohmann::json EtcdRangeRequest(const std::string& key, const std::string& range_end) {
  nlohmann::json op = nlohmann::json::object();
  op["request_range"] = EtcdRangeOp(key, range_end);
  return op;
}

std::string EtcdPrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty()) {
    if (static_cast<unsigned char>(end.back()) < 0xff) {
      end.back() = static_cast<char>(end.back() + 1);
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::vector<EtcdKv> EtcdKvsFrom(const nlohmann::json& range_response) {
  std::vector<EtcdKv> out;
  auto kvs = range_response.find("kvs");
  if (kvs == range_response.end() || !kvs->is_array()) return out;
  for (const nlohmann::json& kv : *kvs) {
    EtcdKv e;
    e.key = Decoded(kv, "key");
    e.value = Decoded(kv, "value");
    e.create_revision = Int(kv, "create_revision");
    e.mod_revision = Int(kv, "mod_revision");
    e.version = Int(kv, "version");
    e.lease = Int(kv, "lease");
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<EtcdKv> EtcdTxnRange(const nlohmann::json& txn_answer, size_t i) {
  auto rs = txn_answer.find("responses");
  if (rs == txn_answer.end() || !rs->is_array() || i >= rs->size()) return {};
  auto rr = (*rs)[i].find("response_range");
  if (rr == (*rs)[i].end()) return {};
  return EtcdKvsFrom(*rr);
}

}  // namespace cairn::state
