// Backend selection: which backend holds the state (local directory or etcd) and with which key
// it is encrypted, as configured by the blueprint's `state:` section and the command line.
#pragma once

#include <memory>
#include <string>

#include "engine/base/status.h"
#include "engine/state/backend.h"
#include "engine/state/cipher.h"
#include "engine/state/etcd_client.h"
#include "engine/state/state_prefetch.h"

namespace cairn::state {

/// Everything needed to open a backend.
struct BackendConfig {
  std::string backend = "local";            // "local" or "etcd"
  std::string dir;                          // local: the state directory
  EtcdOptions etcd;                         // etcd: endpoints, prefix, TLS, lock TTL
  KeySpec key;                              // encryption at rest; Kind::kNone for plain text
  std::shared_ptr<StatePrefetch> prefetch;  // local: state.json parsed ahead (optional)
};

/// Opens the backend `config` describes, with its cipher set (deriving the key from a
/// passphrase takes a moment). Errors name the setting that is wrong.
Result<std::unique_ptr<Backend>> OpenBackend(const BackendConfig& config);

/// The same backend with another key (for `cairn state rekey`).
Result<std::shared_ptr<const StateCipher>> CipherFor(const KeySpec& key);

}  // namespace cairn::state
