// Refresh: reading every object in the prior state from its provider to see what really exists.
#pragma once

#include <string>
#include <vector>

#include "engine/base/diag.h"
#include "engine/plan/plan.h"
#include "engine/provider/provider.h"
#include "engine/state/state.h"

namespace cairn::plan {

/// What refresh found: the state with live values read in, and what changed outside cairn.
struct RefreshResult {
  state::State refreshed;         // objects that no longer exist are removed
  std::vector<Drift> drift;       // sorted by address
  std::vector<std::string> gone;  // addresses deleted outside cairn, sorted
};

/// Reads every resource of `prior`: one ReadAll per type that has it, otherwise one Read per
/// resource, on up to `parallelism` threads. Resources whose provider is not loaded, or whose read
/// fails, keep their recorded values and add an error to `diags`.
RefreshResult Refresh(const state::State& prior, provider::Registry& providers, int parallelism,
                      Diagnostics* diags);

/// The sensitive paths of a resource: schema-sensitive attributes present in `attrs`, values marked
/// sensitive in `attrs`, and `extra`; sorted and unique.
std::vector<std::string> SensitivePathsOf(const provider::ResourceType* type, const Value& attrs,
                                          const std::vector<std::string>& extra = {});

/// A call context for `address` with the type's deadline applied.
provider::CallContext ContextFor(const std::string& address, const provider::ResourceType* type,
                                 const std::atomic<bool>* cancelled = nullptr);

}  // namespace cairn::plan
