// The report printed when apply ends: what failed and why, what was skipped because of it, what
// an interrupt left undone, and what succeeded.
#pragma once

#include <string>

#include "engine/apply/applier.h"
#include "engine/plan/plan.h"

namespace cairn::cli {

/// How the apply ended, besides its ApplyResult.
struct ReportContext {
  bool destroy = false;      // word it as "Destroy"
  bool interrupted = false;  // Ctrl-C was pressed
  bool saved = true;         // the final state snapshot was written
  bool color = false;
};

/// The final report, ending in a newline. Successes are counted by action; failures, skipped
/// dependents (with the failure that caused them) and steps not started are listed by address.
std::string RenderApplyReport(const plan::Plan& p, const apply::ApplyResult& r,
                              const ReportContext& ctx);

}  // namespace cairn::cli
