// A plan and a state of many shapes (every action, value kinds at several depths, sensitive
// values, forced replacement, heredocs, unknowns, drift), for the renderer's golden tests.
#pragma once

#include <string>

#include "engine/plan/plan.h"
#include "engine/state/state.h"

namespace cairn::plan {

/// One change of each action with values of every kind, and drift (changed and deleted).
Plan VariedPlan();
/// A plan with drift but no changes.
Plan DriftOnlyPlan();
/// Two resources with nested, multi-line and sensitive attributes.
state::State VariedState();
/// `s` with each escape character shown as "\e", so that coloured text reads in expectations.
std::string Visible(const std::string& s);

}  // namespace cairn::plan
