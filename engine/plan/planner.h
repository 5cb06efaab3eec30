// The planner: refresh, build the dependency graph, and diff the blueprint against what exists.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/base/diag.h"
#include "engine/base/status.h"
#include "engine/plan/plan.h"
#include "engine/provider/provider.h"
#include "engine/state/state.h"

namespace cairn::plan {

/// How to plan.
struct PlanOptions {
  bool refresh = true;   // read live objects first; off: trust the state as recorded
  bool destroy = false;  // plan to delete everything in the state
  int parallelism = 10;  // concurrent provider reads
  /// Plan only these addresses and what they need: their dependencies, or for destroy their
  /// dependents (whatever must go first). Empty: everything. An address that is neither in the
  /// blueprint nor in the state is an error.
  std::vector<std::string> targets;
  /// Only refresh: the plan holds the drift and no changes (apply then records the drift).
  bool refresh_only = false;
  /// Called after the refresh, before the desired resources are read: lets the caller finish
  /// expanding them while the providers read. False stops the plan; then the refresh's
  /// diagnostics are dropped (the caller has reported why).
  std::function<bool()> before_diff;
};

/// Refreshes `prior` through the providers, diffs it against `desired`, returns the plan.
/// Problems (unknown references, cycles, provider errors) become diagnostics; when `diags` has
/// errors afterwards the plan is incomplete and must not be applied.
Result<Plan> MakePlan(const std::vector<provider::DesiredResource>& desired,
                      const state::State& prior, provider::Registry& providers,
                      const PlanOptions& opts, Diagnostics* diags);

}  // namespace cairn::plan
