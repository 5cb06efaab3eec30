#include <iostream>
#include <memory>

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

namespace {

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

}  // namespace

void AddRunFlags(CLI::App* cmd, RunOptions* o, bool approve) {
  cmd->add_option("--parallelism", o->parallelism, "Provider calls in flight at once")
      ->default_val(10)
      ->check(CLI::Range(1, 256));
  if (approve) cmd->add_flag("--auto-approve", o->auto_approve, "Do not ask for confirmation");
  cmd->add_flag("--no-refresh", o->no_refresh, "Trust the state; do not read live objects");
}

void AddPlanCommand(CLI::App& root, std::vector<Command>* out) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = root.add_subcommand("plan", "Show what apply would change");
  AddRunFlags(cmd, opts.get(), false);
  cmd->add_flag("--detailed-exitcode", opts->detailed_exitcode,
                "Exit 0 for no changes, 2 when changes are present, 1 on error");
  cmd->footer("Examples:\n  cairn plan\n  cairn plan -f site.yaml --detailed-exitcode");
  out->push_back({cmd, [opts](Session& s) { return RunPlan(s, *opts); }});
}

}  // namespace cairn::cli
