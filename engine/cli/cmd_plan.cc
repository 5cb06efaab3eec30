#include <algorithm>
#include <iostream>
#include <memory>

#include "engine/apply/retry.h"
#include "engine/cli/commands.h"
#include "engine/cli/git_checks.h"
#include "engine/cli/json_view.h"
#include "engine/plan/plan_file.h"
#include "engine/plan/planner.h"
#include "engine/plan/render.h"
#include "engine/state/file_io.h"
#include "engine/state/lock_info.h"

namespace cairn::cli {

bool BuildPlan(Session& s, const RunOptions& o, bool destroy, const state::State& current,
               plan::Plan* out) {
  if (!s.LoadProviders() || !s.LoadProvidersFor(current)) {
    s.FlushDiagnostics();
    return false;
  }
  plan::PlanOptions po;
  po.before_diff = [&s] { return s.Expand(); };  // the refresh runs beside the expansion
  po.refresh = !o.no_refresh;
  po.destroy = destroy;
  po.parallelism = o.parallelism;
  po.targets = o.targets;
  po.refresh_only = o.refresh_only;
  Result<plan::Plan> p = plan::MakePlan(s.desired(), current, s.providers(), po, &s.diags());
  if (!p.ok()) s.diags().AddStatus(p.status());
  bool ok = p.ok() && !s.diags().has_errors();
  if (ok && !o.targets.empty()) {
    std::string list;
    for (const std::string& t : o.targets) list += (list.empty() ? "" : ", ") + t;
    s.diags().Warning({}, "",
                      "this plan is partial: only " + list + " and what " +
                          (o.targets.size() == 1 ? "it needs" : "they need") +
                          " (--target); other changes may be pending",
                      "run plan without --target to see everything");
  }
  s.FlushDiagnostics();
  if (ok) *out = std::move(*p);
  return ok;
}

Result<plan::PlanFingerprint> CurrentFingerprint(Session& s, const state::State& current) {
  plan::PlanFingerprint f;
  // A state not yet written gets a fresh lineage on every load; it is recorded as "none yet".
  bool unborn = current.serial == 0 && current.resources.empty();
  f.lineage = unborn ? "" : current.lineage;
  f.serial = current.serial;
  std::string text;
  if (GitSource* g = s.git(); g != nullptr && g->from_tree) {
    Result<std::string> bytes = g->BlueprintBytes(s.options().file);
    if (!bytes.ok()) return bytes.status();
    text = std::move(*bytes);
  } else {
    Status read = state::ReadWholeFile(s.options().file, &text);
    if (!read.ok()) return read;
  }
  f.blueprint_sha256 = plan::Sha256Hex(text);
  f.desired_sha256 = plan::DesiredDigest(s.desired());
  for (const auto& [name, p] : s.providers().all())
    f.plugins.push_back({name, p->Schema().version});
  return f;
}

std::string RenderPlanFor(const plan::Plan& p, const RunOptions& o, bool color) {
  std::string out = plan::RenderPlan(p, color);
  if (!o.refresh_only) return out;
  // The summary speaks of changes to make; a refresh-only plan makes none, so it says what
  // apply --refresh-only would record instead.
  size_t summary = out.rfind(plan::PlanSummary(p));
  if (summary != std::string::npos) {
    size_t line = out.rfind('\n', summary);
    out.erase(line == std::string::npos ? 0 : line + 1);
  }
  if (p.drift.empty()) return out + "No changes: the live objects match the state.\n";
  return out + "Refresh only: " + std::to_string(p.drift.size()) +
         (p.drift.size() == 1 ? " object" : " objects") +
         " changed outside of cairn. Run `cairn apply --refresh-only` to record " +
         (p.drift.size() == 1 ? "it" : "them") + " in the state; nothing live is changed.\n";
}

namespace {

Status SavePlan(Session& s, const RunOptions& o, const state::State& current, const plan::Plan& p) {
  Result<plan::PlanFingerprint> fp = CurrentFingerprint(s, current);
  if (!fp.ok()) return fp.status();
  plan::PlanFile f;
  f.fingerprint = std::move(*fp);
  f.blueprint_path = s.options().file;
  f.created = state::NowRfc3339();
  f.refresh_only = o.refresh_only;
  f.targets = o.targets;
  f.plan = p;
  if (GitSource* g = s.git(); g != nullptr) {
    f.commit = g->commit.id;
    f.dirty = g->dirty() && !g->from_tree;
  }
  Status w = plan::WritePlanFile(o.plan_out, f);
  if (!w.ok())
    return Status::Error("cannot save the plan: " + w.message(),
                         "check that -out names a "
                         "writable path");
  return w;
}

// Shows what apply would do; takes the state lock so that it reads a consistent state.
int RunPlan(Session& s, const RunOptions& o) {
  nlohmann::json doc = JsonDocument("plan");
  auto finish = [&](int code) {
    if (s.json()) PrintJson(std::move(doc), s.TakeJsonDiagnostics());
    return code;
  };
  s.PrefetchState();  // parses state.json while the blueprint loads
  bool ok = s.OpenGit(o.git.rev) && s.LoadBlueprint();
  if (ok) s.StartExpanding();  // overlaps opening, locking and reading the state
  if (!ok || !s.OpenBackend()) {
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  Result<state::LockInfo> lock = s.backend().Lock("plan");
  if (!lock.ok()) {
    s.diags().AddStatus(lock.status());
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  int code = kExitError;
  Result<state::State>& current = s.Keep(s.backend().Load());
  if (!current.ok()) {
    s.diags().AddStatus(current.status());
    s.FlushDiagnostics();
  } else {
    WarnRollback(s, *current);
    plan::Plan& p = s.Keep(plan::Plan());
    if (BuildPlan(s, o, o.destroy, *current, &p)) {
      bool changes = o.refresh_only ? !p.drift.empty() : p.HasChanges();
      code = (o.detailed_exitcode && changes) ? kExitChanges : kExitOk;
      if (!o.plan_out.empty()) {
        Status saved = SavePlan(s, o, *current, p);
        if (!saved.ok()) {
          s.diags().AddStatus(saved);
          code = kExitError;
        }
      }
      if (s.json()) {
        doc.update(PlanJson(p, o.refresh_only, !o.targets.empty()));
        if (nlohmann::json git = GitJson(s); !git.is_null()) doc["git"] = std::move(git);
        if (!o.plan_out.empty() && code != kExitError) doc["plan_file"] = o.plan_out;
      } else {
        std::cout << RenderPlanFor(p, o, s.color_out());
        if (!o.plan_out.empty() && code != kExitError)
          std::cout << "\nSaved the plan to " << o.plan_out
                    << " (it holds secret values: keep it private).\nTo perform exactly these "
                       "actions, run: cairn apply "
                    << o.plan_out << "\n";
      }
      s.FlushDiagnostics();
    }
  }
  Status unlocked = s.backend().Unlock(lock->id);
  if (!unlocked.ok()) std::cerr << "warning: " << unlocked.message() << "\n";
  return finish(code);
}

}  // namespace

void AddRunFlags(CLI::App* cmd, RunOptions* o, bool approve) {
  cmd->add_option("--parallelism", o->parallelism, "Provider calls in flight at once")
      ->default_val(10)
      ->check(CLI::Range(1, 256));
  if (approve) cmd->add_flag("--auto-approve", o->auto_approve, "Do not ask for confirmation");
  cmd->add_flag("--no-refresh", o->no_refresh, "Trust the state; do not read live objects");
  if (approve) {
    cmd->add_option("--max-retries", o->max_retries, "Retries of a transiently failed call")
        ->default_val(5)
        ->check(CLI::Range(0, 100));
    cmd->add_option("--timeout", o->timeout, "Time one resource may take (30s, 10m, 1h)")
        ->default_val("10m")
        ->check(CLI::Validator(
            [](std::string& s) {
              double d = 0;
              return apply::ParseDuration(s, &d) ? "" : "expected a duration like 30s, 10m or 1h";
            },
            "DURATION"));
  }
  cmd->add_option("--rev", o->git.rev,
                  "Plan the blueprint and in-repository plugins of this commit, branch or tag "
                  "(the work tree is not touched)");
  if (approve) {
    cmd->add_flag("--allow-dirty", o->git.allow_dirty,
                  "Apply even though the work tree has uncommitted changes");
    cmd->add_flag("--allow-rollback", o->git.allow_rollback,
                  "Apply a commit that is not a descendant of the live one");
    AddSignatureFlags(cmd, &o->git);
  }
  cmd->add_option("--target", o->targets,
                  "Only this resource address and what it needs (repeatable)");
  cmd->add_flag("--json", o->json, "Print one JSON document on stdout (see docs/json.md)");
  cmd->add_flag("--detailed-exitcode", o->detailed_exitcode,
                "Exit 0 for no changes, 2 when there are changes, 1 on error");
}

void AddSignatureFlags(CLI::App* cmd, GitOptions* g) {
  cmd->add_flag("--require-signed", g->require_signed,
                "Only apply commits signed by an allowed signer");
  cmd->add_option("--allowed-signers", g->allowed_signers,
                  "ssh allowed_signers file of who may sign (with --require-signed)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--gpg-keyring", g->gpg_keyring,
                  "gpg keyring of who may sign (with --require-signed)")
      ->check(CLI::ExistingFile);
}

void AddPlanCommand(CLI::App& root, std::vector<Command>* out) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = root.add_subcommand("plan", "Show what apply would change");
  AddRunFlags(cmd, opts.get(), false);
  CLI::Option* refresh_only = cmd->add_flag("--refresh-only", opts->refresh_only,
                                            "Only show what changed outside of cairn (drift)");
  cmd->add_flag("--destroy", opts->destroy,
                "Plan deleting everything in the state, as `cairn destroy` would (save it with "
                "-out to review it first)")
      ->excludes(refresh_only);
  cmd->add_option("-o,--out", opts->plan_out,
                  "Save the plan to FILE for `cairn apply FILE` (the file holds secrets)");
  cmd->footer(
      "Examples:\n"
      "  cairn plan\n"
      "  cairn plan -out site.plan && cairn apply site.plan\n"
      "  cairn plan --destroy -out teardown.plan && cairn apply teardown.plan\n"
      "  cairn plan --target local.file.motd\n"
      "  cairn plan --refresh-only\n"
      "  cairn plan --json | jq '.summary'\n"
      "  cairn -f site.yaml plan --detailed-exitcode\n\n"
      "Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error, 2 changes present "
      "(only with --detailed-exitcode).");
  out->push_back({cmd, [opts](Session& s) {
                    s.set_json(opts->json);
                    return RunPlan(s, *opts);
                  }});
}

}  // namespace cairn::cli
