#include <iostream>

#include "engine/cli/commands.h"
#include "engine/plan/planner.h"
#include "engine/plan/render.h"

namespace cairn::cli {

bool BuildPlan(Session& s, const RunOptions& o, bool destroy, const state::State& current,
               plan::Plan* out) {
  if (!s.LoadProviders() || !s.Expand()) {
    s.FlushDiagnostics();
    return false;
  }
  plan::PlanOptions po;
  po.refresh = !o.no_refresh;
  po.destroy = destroy;
  po.parallelism = o.parallelism;
  Result<plan::Plan> p = plan::MakePlan(s.desired(), current, s.providers(), po, &s.diags());
  if (!p.ok()) s.diags().AddStatus(p.status());
  bool ok = p.ok() && !s.diags().has_errors();
  s.FlushDiagnostics();
  if (ok) *out = std::move(*p);
  return ok;
}

// Shows what apply would do; takes the state lock so that it reads a consistent state.
int RunPlan(Session& s, const RunOptions& o) {
  if (!s.LoadBlueprint() || !s.OpenBackend()) {
    s.FlushDiagnostics();
    return kExitError;
  }
  Result<state::LockInfo> lock = s.backend().Lock("plan");
  if (!lock.ok()) {
    s.diags().AddStatus(lock.status());
    s.FlushDiagnostics();
    return kExitError;
  }
  int code = kExitError;
  Result<state::State> current = s.backend().Load();
  if (!current.ok()) {
    s.diags().AddStatus(current.status());
    s.FlushDiagnostics();
  } else {
    plan::Plan p;
    if (BuildPlan(s, o, /*destroy=*/false, *current, &p)) {
      std::cout << plan::RenderPlan(p, s.color_out());
      code = (o.detailed_exitcode && p.HasChanges()) ? kExitChanges : kExitOk;
    }
  }
  Status unlocked = s.backend().Unlock(lock->id);
  if (!unlocked.ok()) std::cerr << "warning: " << unlocked.message() << "\n";
  return code;
}

}  // namespace cairn::cli
