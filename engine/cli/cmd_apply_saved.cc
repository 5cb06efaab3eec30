// Applying a saved plan: the checks that make `cairn apply FILE` apply exactly what was reviewed.
#include "engine/cli/commands.h"

namespace cairn::cli {

bool CheckApplyOptions(Session& s, const RunOptions& o) {
  Diagnostic d;
  if (s.json() && !o.auto_approve && o.plan_file.empty()) {
    d.summary = "--json cannot ask for confirmation";
    d.hint = "pass --auto-approve, or apply a saved plan: cairn apply FILE --json";
  } else if (!o.plan_file.empty() && (!o.targets.empty() || o.refresh_only)) {
    d.summary =
        "a saved plan is applied as it was made; --target and --refresh-only belong to "
        "`cairn plan`";
    d.hint = "make the plan with them: cairn plan --target ADDR -out FILE";
  } else {
    return true;
  }
  s.diags().Add(std::move(d));
  s.FlushDiagnostics();
  return false;
}

bool LoadSavedPlan(Session& s, const RunOptions& o, const state::State& current, plan::Plan* out) {
  Result<plan::PlanFile> f = plan::ReadPlanFile(o.plan_file);
  if (!f.ok()) {
    s.diags().AddStatus(f.status());
    s.FlushDiagnostics();
    return false;
  }
  // Providers are loaded and configured to apply; the blueprint is expanded only to tell
  // whether it still asks for what the plan was made from. Nothing is refreshed.
  if (!s.LoadProviders() || !s.Expand()) {
    s.FlushDiagnostics();
    return false;
  }
  Result<plan::PlanFingerprint> now = CurrentFingerprint(s, current);
  if (!now.ok()) {
    s.diags().AddStatus(now.status());
    s.FlushDiagnostics();
    return false;
  }
  std::vector<std::string> reasons = plan::StaleReasons(f->fingerprint, *now);
  if (!reasons.empty()) {
    Diagnostic d;
    d.summary = "the saved plan " + o.plan_file + " is stale: " + reasons.front();
    for (size_t i = 1; i < reasons.size(); ++i) d.detail += (i > 1 ? "\n" : "") + reasons[i];
    d.hint = std::string("make a new plan with `cairn plan ") +
             (f->plan.destroy ? "--destroy " : "") + "-out " + o.plan_file + "` and review it";
    s.diags().Add(std::move(d));
    s.FlushDiagnostics();
    return false;
  }
  *out = std::move(f->plan);
  return true;
}

}  // namespace cairn::cli
