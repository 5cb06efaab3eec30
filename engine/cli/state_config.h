// Which state backend and key a command uses: the blueprint's `state:` section, overridden by
// the --state-* and --etcd-* flags.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "engine/base/diag.h"
#include "engine/blueprint/blueprint.h"
#include "engine/cli/options.h"
#include "engine/state/open_backend.h"

namespace cairn::cli {

/// Adds the state flags (--state-backend, --etcd-endpoint, --state-key-env, ...) to `app`.
void AddStateFlags(CLI::App& app, StateFlags* flags);

/// The backend configuration from `bp` (may be empty: no blueprint) and `flags`;
/// `default_dir` is the local directory when neither names one. False after reporting a
/// problem (with the blueprint position when the blueprint is at fault).
bool ResolveStateConfig(const blueprint::Blueprint& bp, const StateFlags& flags,
                        const std::string& default_dir, state::BackendConfig* out,
                        Diagnostics* diags);

/// A key given on the command line (--new-key-env / --new-key-file with --new-kdf), for rekey.
bool KeyFromFlags(const std::string& env, const std::string& file, const std::string& kdf,
                  state::KeySpec* out, Diagnostics* diags);

}  // namespace cairn::cli
