// cairn state migrate and cairn state rekey: move the state to another backend, or re-encrypt
// it under another key, with the lock held throughout.
#include <iostream>
#include <memory>

#include "engine/base/json.h"
#include "engine/cli/commands.h"
#include "engine/cli/state_config.h"
#include "engine/state/open_backend.h"

namespace cairn::cli {
namespace {

/// Arguments of migrate and rekey.
struct MoveArgs {
  std::string to;                                  // migrate: local | etcd
  std::string to_dir;                              // migrate --to-state-dir
  std::vector<std::string> to_endpoints;           // migrate --to-etcd-endpoint
  std::string to_prefix;                           // migrate --to-etcd-prefix
  std::string new_key_env, new_key_file, new_kdf;  // rekey
  bool decrypt = false;                            // rekey --decrypt
};

std::string Canonical(const state::State& s) { return DumpJson(state::StateToValue(s)); }

// Runs `body` with the lock of `b` held; the lock is released on every path.
int WithLock(Session& s, state::Backend& b, const std::string& op,
             const std::function<int()>& body) {
  Result<state::LockInfo> lock = b.Lock(op);
  if (!lock.ok()) {
    s.diags().AddStatus(Status(lock.status()).Prepend(b.Describe() + ": "));
    s.FlushDiagnostics();
    return kExitError;
  }
  int code = body();
  s.diags().Append(b.TakeWarnings());  // s.FlushDiagnostics sees only the session's backend
  s.FlushDiagnostics();
  Status unlocked = b.Unlock(lock->id);
  if (!unlocked.ok()) std::cerr << "warning: " << unlocked.message() << "\n";
  return code;
}

// Copies the loaded `from` into `to` (already locked and loaded as `there`).
int CopyState(Session& s, const state::State& from, state::Backend& to, const state::State& there,
              const std::string& source) {
  bool target_empty = there.serial == 0 && there.resources.empty();
  if (from.serial == 0) {
    s.diags().Error({}, "", "there is no state to migrate in " + source);
    return kExitError;
  }
  if (!target_empty) {
    if (there.lineage != from.lineage) {
      s.diags().Error({}, "",
                      to.Describe() + " already holds another state (lineage " + there.lineage +
                          ", serial " + std::to_string(there.serial) + ")",
                      "migrate into an empty place: another state directory or etcd prefix");
      return kExitError;
    }
    if (there.serial >= from.serial) {
      if (there.serial == from.serial && Canonical(there) == Canonical(from)) {
        std::cout << to.Describe() << " already holds this state (serial " << from.serial
                  << "); nothing to copy.\n";
        return kExitOk;
      }
      s.diags().Error({}, "",
                      to.Describe() + " holds serial " + std::to_string(there.serial) +
                          " of this state, not older than serial " + std::to_string(from.serial) +
                          " in " + source,
                      "the target is newer; migrate in the other direction");
      return kExitError;
    }
  }
  Status saved = to.Save(from);
  if (!saved.ok()) {
    s.diags().AddStatus(saved);
    return kExitError;
  }
  Result<state::State> back = to.Load();
  if (!back.ok() || Canonical(*back) != Canonical(from)) {
    s.diags().Error({}, "",
                    "the state read back from " + to.Describe() + " differs from what was written",
                    "the source is unchanged; check the target and try again");
    return kExitError;
  }
  std::cout << "Migrated serial " << from.serial << " (" << from.resources.size()
            << " resources) from " << source << " to " << to.Describe() << ".\n"
            << "Point the blueprint's state: section (or the --state-* flags) at it; the copy in "
            << source << " is left as it was.\n";
  return kExitOk;
}

int RunMigrate(Session& s, const MoveArgs& a) {
  if (!s.OpenBackend()) {
    s.FlushDiagnostics();
    return kExitError;
  }
  state::BackendConfig target = s.state_config();
  target.backend = a.to;
  if (!a.to_dir.empty()) target.dir = a.to_dir;
  if (!a.to_endpoints.empty()) target.etcd.endpoints = a.to_endpoints;
  if (!a.to_prefix.empty()) target.etcd.prefix = a.to_prefix;
  const state::BackendConfig& source = s.state_config();
  if (target.backend == source.backend &&
      (a.to == "local" ? target.dir == source.dir
                       : target.etcd.prefix == source.etcd.prefix &&
                             target.etcd.endpoints == source.etcd.endpoints)) {
    s.diags().Error({}, "", "the state is already in " + s.backend().Describe(),
                    a.to == "local" ? "name another directory with --to-state-dir"
                                    : "name another place with --to-etcd-endpoint or "
                                      "--to-etcd-prefix");
    s.FlushDiagnostics();
    return kExitError;
  }
  Result<std::unique_ptr<state::Backend>> to = state::OpenBackend(target);
  if (!to.ok()) {
    s.diags().AddStatus(to.status());
    s.FlushDiagnostics();
    return kExitError;
  }
  state::Backend& from = s.backend();
  return WithLock(s, from, "state migrate", [&] {
    return WithLock(s, **to, "state migrate", [&] {
      Result<state::State> src = from.Load();
      if (!src.ok()) {
        s.diags().AddStatus(src.status());
        return int{kExitError};
      }
      Result<state::State> dst = (*to)->Load();
      if (!dst.ok()) {
        s.diags().AddStatus(dst.status());
        return int{kExitError};
      }
      return CopyState(s, *src, **to, *dst, from.Describe());
    });
  });
}

int RunRekey(Session& s, const MoveArgs& a) {
  state::KeySpec next_key;
  if (!a.decrypt &&
      !KeyFromFlags(a.new_key_env, a.new_key_file, a.new_kdf, &next_key, &s.diags())) {
    s.FlushDiagnostics();
    return kExitError;
  }
  if (!a.decrypt && next_key.kind == state::KeySpec::Kind::kNone) {
    s.diags().Error({}, "", "state rekey needs the new key",
                    "pass --new-key-env NAME or --new-key-file PATH, or --decrypt to store the "
                    "state in plain text");
    s.FlushDiagnostics();
    return kExitError;
  }
  if (!s.OpenBackend()) {
    s.FlushDiagnostics();
    return kExitError;
  }
  Result<std::shared_ptr<const state::StateCipher>> next = state::CipherFor(next_key);
  if (!next.ok()) {
    s.diags().AddStatus(next.status());
    s.FlushDiagnostics();
    return kExitError;
  }
  state::Backend& b = s.backend();
  return WithLock(s, b, "state rekey", [&] {
    // Loading with the configured key proves it is the right one before anything is written.
    Result<state::State> st = b.Load();
    std::shared_ptr<const state::StateCipher> old = b.cipher();
    b.SetCipher(*next);
    if (!st.ok()) {
      // A rekey that stopped while re-encrypting the history has saved the state under the new
      // key already: the same command finishes the history.
      Result<state::State> resumed = b.Load();
      if (!resumed.ok()) {
        b.SetCipher(old);
        s.diags().AddStatus(st.status());
        return int{kExitError};
      }
      st = std::move(resumed);
    } else {
      st->serial += 1;
      Status saved = b.Save(*st);
      if (!saved.ok()) {
        b.SetCipher(old);
        s.diags().AddStatus(saved);
        return int{kExitError};
      }
    }
    Status history = b.RekeyHistory(old.get());
    if (!history.ok()) {
      s.diags().AddStatus(Status(history).Prepend(
          "the state (serial " + std::to_string(st->serial) +
          ") is under the new key, but re-encrypting its history stopped: "));
      return int{kExitError};
    }
    std::cout << "State serial " << st->serial << " and its kept history are now "
              << (a.decrypt ? std::string("stored in plain text")
                            : "encrypted with " + (*next)->Describe())
              << ".\nConfigure the new key for later commands.\n";
    return int{kExitOk};
  });
}

}  // namespace

void AddStateMoveCommands(CLI::App* state, std::vector<Command>* out) {
  auto args = std::make_shared<MoveArgs>();
  CLI::App* migrate = state->add_subcommand(
      "migrate", "Copy the state to another backend (local directory or etcd), locking both");
  migrate->add_option("--to", args->to, "Target backend")
      ->required()
      ->check(CLI::IsMember({"local", "etcd"}));
  migrate->add_option("--to-state-dir", args->to_dir,
                      "Target directory for --to local (default: .cairn beside the blueprint)");
  migrate
      ->add_option("--to-etcd-endpoint", args->to_endpoints,
                   "Target etcd client URL (default: state.endpoints of the blueprint)")
      ->delimiter(',');
  migrate->add_option("--to-etcd-prefix", args->to_prefix, "Target etcd key prefix");
  migrate->footer(
      "Examples:\n"
      "  cairn state migrate --to etcd --to-etcd-endpoint http://10.0.0.1:2379\n"
      "  cairn --state-backend etcd --etcd-endpoint http://10.0.0.1:2379 state migrate --to local");
  out->push_back({migrate, [args](Session& s) { return RunMigrate(s, *args); }});

  CLI::App* rekey = state->add_subcommand(
      "rekey", "Re-encrypt the state and its history under a new key (or --decrypt)");
  rekey->add_option("--new-key-env", args->new_key_env,
                    "Environment variable holding the new passphrase");
  rekey->add_option("--new-key-file", args->new_key_file, "File holding the new passphrase or key");
  rekey->add_option("--new-kdf", args->new_kdf, "scrypt (default), pbkdf2, or raw (a key file)")
      ->check(CLI::IsMember({"scrypt", "pbkdf2", "raw"}));
  rekey->add_flag("--decrypt", args->decrypt, "Store the state in plain text from now on");
  rekey->footer(
      "Examples:\n"
      "  cairn --state-key-env OLD_KEY state rekey --new-key-env NEW_KEY\n"
      "  cairn --state-key-file old.key --state-kdf raw state rekey --new-key-file new.key "
      "--new-kdf raw");
  out->push_back({rekey, [args](Session& s) { return RunRekey(s, *args); }});
}

}  // namespace cairn::cli
