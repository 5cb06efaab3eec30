// The emulated API server's state and request handling, independent of HTTP.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/emulators/kube/crd.h"
#include "tests/emulators/kube/kube_emulator.h"
#include "tests/emulators/kube/resource_types.h"
#include "tests/emulators/kube/stored_object.h"

namespace cairn::emulators {

/// Stores objects and serves KubeRequests the way a Kubernetes 1.28 API server does; every
/// public method is thread-safe (one mutex: the emulator values fidelity over throughput).
class ApiServer {
 public:
  explicit ApiServer(const KubeEmulatorOptions& options);
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  KubeResponse Handle(const KubeRequest& request);
  /// Creates the CRDs among `docs` and establishes them at once.
  Status LoadCrds(const std::vector<nlohmann::json>& docs, const std::string& origin);
  void ExpireContinueTokens();

 private:
  using Clock = std::chrono::steady_clock;

  /// The resource a request path names.
  struct Target {
    const ResourceType* type = nullptr;
    std::shared_ptr<CrdServing> crd;  // set for custom resources
    std::string version;
    std::string ns;
    std::string name;         // "" for collections
    std::string subresource;  // "status" or ""
  };

  /// A CRD the server knows, served once established.
  struct CrdEntry {
    std::shared_ptr<CrdServing> serving;
    Clock::time_point establish_at;
    bool established = false;
  };

  /// Work that real controllers would do a little later (Deployment availability).
  struct Pending {
    Clock::time_point when;
    std::string store_key;
    std::string object_key;
  };

  // api_server.cc: routing, discovery, reads, deletes.
  KubeResponse Route(const KubeRequest& request);
  KubeResponse Discovery(const std::vector<std::string>& segments, const KubeRequest& request,
                         bool* handled);
  bool Resolve(const std::vector<std::string>& segments, Target* target);
  const ResourceType* FindType(const std::string& group, const std::string& version,
                               const std::string& plural, std::shared_ptr<CrdServing>* crd);
  KubeResponse Get(const Target& t, const KubeRequest& request);
  KubeResponse List(const Target& t, const KubeRequest& request);
  KubeResponse Delete(const Target& t, const KubeRequest& request);
  KubeResponse DeleteCollection(const Target& t, const KubeRequest& request);
  void Tick();
  void Establish(const std::string& crd_name);
  void MarkAvailable(const Pending& p);

  // api_writes.cc: create, update, patch, server-side apply.
  KubeResponse Create(const Target& t, const KubeRequest& request);
  KubeResponse Update(const Target& t, const KubeRequest& request);
  KubeResponse Patch(const Target& t, const KubeRequest& request);
  KubeResponse Apply(const Target& t, const KubeRequest& request, nlohmann::json body);
  /// Checks the body's apiVersion/kind/name/namespace against the URL; fills what is missing.
  KubeResponse CheckIdentity(const Target& t, nlohmann::json* body, bool is_create);
  /// Defaults, pruning and validation of an object about to be stored; 0 code = ok.
  KubeResponse Prepare(const Target& t, const nlohmann::json& old, nlohmann::json* object,
                       const KubeRequest& request, std::vector<std::string>* warnings);
  /// Stores `object` as the new state (bumping resourceVersion and generation) unless it equals
  /// `old` (null when absent); returns the stored object.
  StoredPtr Store(const Target& t, const nlohmann::json& old, nlohmann::json object);
  /// Answers with a stored object (its cached text when the versions agree).
  KubeResponse Respond(int code, const Target& t, const StoredObject& object,
                       const std::vector<std::string>& warnings = {});
  /// Answers with an object that is not stored as it is (e.g. one just deleted).
  KubeResponse RespondJson(int code, const Target& t, nlohmann::json object);
  /// The stored object at `key` of the type's store, or null.
  StoredPtr Find(const ResourceType& type, const std::string& key);

  std::string StoreKey(const ResourceType& type) const { return type.group + "/" + type.plural; }
  static std::string ObjectKey(const std::string& ns, const std::string& name) {
    return ns + "/" + name;
  }
  std::string ManagerName(const KubeRequest& request) const;
  std::string NextVersion() { return std::to_string(++resource_version_); }

  const KubeEmulatorOptions options_;
  std::mutex mu_;
  std::vector<ResourceType> builtins_;
  std::map<std::string, CrdEntry> crds_;                             // by CRD name
  std::map<std::string, std::map<std::string, StoredPtr>> objects_;  // store key -> objects
  std::vector<Pending> pending_;
  uint64_t resource_version_ = 100;
  uint64_t token_epoch_ = 1;
  int next_ip_ = 10;
};

}  // namespace cairn::emulators
