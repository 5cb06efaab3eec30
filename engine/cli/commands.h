// The cairn commands; each wires the stages it needs through a Session.
#pragma once

#include "engine/cli/options.h"
#include "engine/cli/session.h"

namespace cairn::cli {

int RunValidate(Session& s);
int RunPlan(Session& s, const RunOptions& o);
/// apply, or destroy when `destroy` is set.
int RunApply(Session& s, const RunOptions& o, bool destroy);
int RunShow(Session& s);

}  // namespace cairn::cli

#include "engine/plan/plan.h"
#include "engine/state/state.h"

namespace cairn::cli {

/// Loads blueprint, providers and desired resources, then plans against `current`.
/// Returns false after printing diagnostics.
bool BuildPlan(Session& s, const RunOptions& o, bool destroy, const state::State& current,
               plan::Plan* out);

}  // namespace cairn::cli
