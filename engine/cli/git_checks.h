// What apply checks in git before it changes anything (uncommitted files, signatures,
// rollbacks), and the history record it leaves.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "engine/cli/options.h"
#include "engine/cli/session.h"
#include "engine/plan/plan.h"
#include "engine/state/history.h"
#include "engine/state/state.h"

namespace cairn::cli {

/// Before apply (s.OpenGit done, state loaded): refuses uncommitted changes unless
/// --allow-dirty, a commit not signed by an allowed signer with --require-signed, and a commit
/// that is not a descendant of the live one unless --allow-rollback. Returns "" when apply may
/// go on; otherwise the reason, already reported in s.diags().
std::string GitRefusal(Session& s, const GitOptions& g, const state::State& current);

/// Before plan: warns when the planned commit would roll back the live one; never refuses.
void WarnRollback(Session& s, const state::State& current);

/// {"commit": ..., "dirty": ...} for --json documents; null outside git.
nlohmann::json GitJson(Session& s);

/// The record of an apply (its plan counted in `counts`) that wrote state serial `serial`.
state::ApplyRecord NewApplyRecord(Session& s, const ApplyReport& counts,
                                  const std::string& operation, uint64_t serial,
                                  const std::string& result);

}  // namespace cairn::cli
