// Human-readable rendering of plans and state, in the style of `terraform plan` and `show`.
#pragma once

#include <string>

#include "engine/plan/plan.h"
#include "engine/state/state.h"

namespace cairn::plan {

/// The plan as a reviewer reads it: drift first, then one block per change with attribute-level
/// diffs, then the summary line. Sensitive values are never shown; unknowns read
/// "(known after apply)". Colour only when `color`.
std::string RenderPlan(const Plan& plan, bool color);

/// Every resource in the state with its attributes (sensitive ones hidden), for `cairn show`.
std::string RenderState(const state::State& state, bool color);

/// "Plan: 2 to add, 1 to change, 1 to destroy." or the no-changes sentence.
std::string PlanSummary(const Plan& plan);

}  // namespace cairn::plan
