// One step of an apply: the provider calls and journal records for a single resource change.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>

#include "engine/apply/applier.h"
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
  /// Resources left unchanged by the plan whose configuration references `attr` of `address`;
  /// they keep the old value when an apply changes that attribute unannounced.
  std::function<std::vector<std::string>(const std::string& address, const std::string& attr)>
      unchanged_users;
};

/// What a step reports back besides success.
struct StepOutcome {
  uint64_t ticket = 0;  // the journal ticket of the last record queued (0: none)
  int retries = 0;      // provider calls repeated after a retryable failure
};

/// Carries out `change`: resolves its configuration against the current state, calls the
/// provider (retrying transient failures as `opts` says, within the step's timeout), checks the
/// result, journals it and updates `shared`. Problems go to `diags`; `on_retry` hears about each
/// wait. Returns false when the step failed (its dependents must not run).
bool RunStep(const plan::ResourceChange& change, provider::Registry& providers,
             state::Journal* journal, const ApplyOptions& opts,
             const std::function<void(const RetryEvent&)>& on_retry, SharedState* shared,
             Diagnostics* diags, StepOutcome* outcome);

}  // namespace cairn::apply
