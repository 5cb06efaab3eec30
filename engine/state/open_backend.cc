#include "engine/state/open_backend.h"

#include "engine/state/etcd_backend.h"
#include "engine/state/local_backend.h"

namespace cairn::state {

Result<std::shared_ptr<const StateCipher>> CipherFor(const KeySpec& key) {
  Result<std::shared_ptr<StateCipher>> c = StateCipher::Create(key);
  if (!c.ok()) return c.status();
  return std::shared_ptr<const StateCipher>(std::move(c).value());
}

Result<std::unique_ptr<Backend>> OpenBackend(const BackendConfig& config) {
  std::unique_ptr<Backend> b;
  if (config.backend == "local" || config.backend.empty()) {
    if (config.dir.empty()) return Status::Error("no state directory is configured");
    auto local = std::make_unique<LocalBackend>(config.dir);
    if (config.prefetch != nullptr) local->SetPrefetch(config.prefetch);
    b = std::move(local);
  } else if (config.backend == "etcd") {
    if (config.etcd.endpoints.empty()) {
      return Status::Error("the etcd state backend needs at least one endpoint",
                           "set state.endpoints in the blueprint or pass --etcd-endpoint URL");
    }
    for (const std::string& e : config.etcd.endpoints) {
      if (e.rfind("http://", 0) != 0 && e.rfind("https://", 0) != 0) {
        return Status::Error("etcd endpoint '" + e + "' is not an http:// or https:// URL",
                             "write the client URL, e.g. https://10.0.0.1:2379");
      }
    }
    if (config.etcd.lock_ttl_seconds < 1) {
      return Status::Error("the etcd lock TTL must be at least 1 second");
    }
    b = std::make_unique<EtcdBackend>(config.etcd);
  } else {
    return Status::Error("unknown state backend '" + config.backend + "'",
                         "use local (the default) or etcd");
  }
  Result<std::shared_ptr<const StateCipher>> cipher = CipherFor(config.key);
  if (!cipher.ok()) return cipher.status();
  b->SetCipher(std::move(cipher).value());
  return b;
}

}  // namespace cairn::state
