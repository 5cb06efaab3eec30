// One step of an apply: the provider calls and journal records for a single resource change.
#pragma once

#include <functional>
#include <mutex>

#include "engine/base/diag.h"
#include "engine/plan/plan.h"
#include "engine/provider/provider.h"
#include "engine/state/backend.h"
#include "engine/state/state.h"

namespace cairn::apply {

/// The state shared by all steps of one apply, guarded by `mu`.
struct SharedState {
  std::mutex mu;
  state::State state;
  /// Addresses whose change in the plan is a Delete (they are not recorded as dependencies).
  std::function<bool(const std::string&)> is_delete;
};

/// Carries out `change`: resolves its configuration against the current state, calls the
/// provider, checks the result, journals it and updates `shared`. Problems go to `diags`;
/// returns false when the step failed (its dependents must not run).
bool RunStep(const plan::ResourceChange& change, provider::Registry& providers,
             state::Journal* journal, const std::atomic<bool>* cancelled, SharedState* shared,
             Diagnostics* diags, uint64_t* ticket);

}  // namespace cairn::apply
