// Command-line options shared by every cairn command.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace cairn::plan {
struct Plan;
}

namespace cairn::cli {

/// Where the state is and how it is encrypted, when given on the command line (each one
/// overrides the blueprint's `state:` setting; see docs/state.md).
struct StateFlags {
  std::string backend;                 // --state-backend local|etcd
  std::vector<std::string> endpoints;  // --etcd-endpoint (repeatable, or comma-separated)
  std::string prefix;                  // --etcd-prefix
  std::string ca, cert, key;           // --etcd-ca, --etcd-cert, --etcd-key
  int lock_ttl = 0;                    // --etcd-lock-ttl SECONDS (0: blueprint or 15)
  std::string key_env;                 // --state-key-env NAME: passphrase in this variable
  std::string key_file;                // --state-key-file PATH: passphrase or raw key file
  std::string kdf;                     // --state-kdf scrypt|pbkdf2|raw
};

/// Flags that every command accepts.
struct GlobalOptions {
  std::string file = "blueprint.yaml";   // -f
  std::string state_dir;                 // --state-dir; default <blueprint dir>/.cairn
  std::vector<std::string> plugin_dirs;  // --plugin-dir (repeatable)
  bool no_color = false;                 // --no-color (NO_COLOR is honoured too)
  bool debug = false;                    // --debug: tracebacks and debug logs
  StateFlags state;                      // --state-backend, --etcd-*, --state-key-*
};

/// Flags about the git repository that holds the blueprint (docs/gitops.md).
struct GitOptions {
  std::string rev;              // --rev: the blueprint and in-repo plugins of this commit
  bool allow_dirty = false;     // --allow-dirty: apply uncommitted changes
  bool allow_rollback = false;  // --allow-rollback: apply a commit older than the live one
  bool require_signed = false;  // --require-signed: only commits signed by an allowed signer
  std::string allowed_signers;  // --allowed-signers FILE (ssh allowed_signers format)
  std::string gpg_keyring;      // --gpg-keyring FILE (for gpgv)
};

/// What RunApply did, for callers that run it unattended (cairn watch).
struct ApplyReport {
  enum class Stage { kFailedEarly, kRefused, kNoChanges, kHeld, kApplied };
  Stage stage = Stage::kFailedEarly;
  std::string refusal;  // why it was refused (dirty work tree, rollback, signature)
  std::string commit;   // the commit planned from
  int added = 0, changed = 0, replaced = 0, deleted = 0;
  bool failed = false;  // kApplied, but some step failed or state was not saved
};

/// Flags of plan, apply and destroy.
struct RunOptions {
  int parallelism = 10;
  bool auto_approve = false;
  bool no_refresh = false;
  bool detailed_exitcode = false;
  bool json = false;                 // --json: one JSON document on stdout (docs/json.md)
  std::vector<std::string> targets;  // --target (repeatable): a partial plan
  bool refresh_only = false;         // --refresh-only: only drift; apply records it
  bool destroy = false;              // plan --destroy: plan deleting everything in the state
  std::string plan_out;              // plan -out FILE
  std::string plan_file;             // apply FILE: apply a saved plan
  int max_retries = 5;               // --max-retries: of a call that failed transiently
  std::string timeout = "10m";       // --timeout: per resource, unless its type sets one
  GitOptions git;
  // Unattended runs: decides instead of asking a person (false holds the plan), and receives
  // what happened.
  std::function<bool(const plan::Plan&)> approve;
  ApplyReport* report = nullptr;
};

/// Process exit codes.
enum ExitCode : int { kExitOk = 0, kExitError = 1, kExitChanges = 2, kExitInterrupted = 130 };

}  // namespace cairn::cli
