#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <unistd.h>

#include "engine/apply/applier.h"
#include "engine/apply/retry.h"
#include "engine/base/term.h"
#include "engine/cli/commands.h"
#include "engine/cli/git_checks.h"
#include "engine/cli/json_view.h"
#include "engine/cli/progress.h"
#include "engine/cli/report.h"
#include "engine/cli/signals.h"
#include "engine/plan/render.h"

namespace cairn::cli {
namespace {

// Asks for "yes" on a terminal; without one, apply needs --auto-approve.
bool Confirm(bool destroy, bool color) {
  if (!isatty(STDIN_FILENO)) {
    std::cerr << "error: " << (destroy ? "destroy" : "apply")
              << " needs confirmation, and standard input is not a terminal\n"
              << "  hint: pass --auto-approve to " << (destroy ? "destroy" : "apply")
              << " without asking\n";
    return false;
  }
  Style st(color);
  std::cout << "\n"
            << st.Bold(destroy ? "Do you really want to destroy all resources?"
                               : "Do you want to perform these actions?")
            << "\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

// What the plan does, by kind, for an unattended caller.
void CountChanges(const plan::Plan& p, ApplyReport* r) {
  r->added = static_cast<int>(p.Count(plan::Action::kCreate));
  r->changed = static_cast<int>(p.Count(plan::Action::kUpdate));
  r->replaced = static_cast<int>(p.Count(plan::Action::kDeleteThenCreate) +
                                 p.Count(plan::Action::kCreateThenDelete));
  r->deleted = static_cast<int>(p.Count(plan::Action::kDelete));
}

}  // namespace

int RunApply(Session& s, const RunOptions& o, bool destroy) {
  // With --json the human output is discarded so that stdout holds only the document.
  nlohmann::json doc = JsonDocument(destroy ? "destroy" : "apply");
  std::optional<StdoutSilencer> silence;
  if (s.json()) silence.emplace();
  auto finish = [&](int code) {
    silence.reset();
    if (s.json()) {
      doc["success"] = code == kExitOk || code == kExitChanges;
      PrintJson(std::move(doc), s.TakeJsonDiagnostics());
    }
    return code;
  };
  if (!CheckApplyOptions(s, o)) return finish(kExitError);
  ApplyReport unreported;
  ApplyReport& report = o.report != nullptr ? *o.report : unreported;
  s.PrefetchState();  // parses state.json while the blueprint loads
  bool ok = s.OpenGit(o.git.rev) && s.LoadBlueprint();
  if (ok) s.StartExpanding();  // overlaps opening, locking and reading the state
  if (!ok || !s.OpenBackend()) {
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  if (GitSource* g = s.git(); g != nullptr && !o.plan_file.empty()) g->Disregard(o.plan_file);
  Result<state::LockInfo> lock = s.backend().Lock(destroy ? "destroy" : "apply");
  if (!lock.ok()) {
    s.diags().AddStatus(lock.status());
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  // Everything below holds the lock; one exit path releases it. Interrupts are caught from here
  // on so that Ctrl-C during planning also ends with the lock released.
  InterruptFlags interrupts;
  InstallInterruptHandlers(&interrupts);
  int code = kExitError;
  bool changed = false;  // for --detailed-exitcode
  ApplyOutcomes outcomes;
  do {
    Result<state::State>& current = s.Keep(s.backend().Load());
    if (!current.ok()) {
      s.diags().AddStatus(current.status());
      s.FlushDiagnostics();
      break;
    }
    if (GitSource* g = s.git(); g != nullptr) report.commit = g->commit.id;
    if (nlohmann::json git = GitJson(s); s.json() && !git.is_null()) doc["git"] = std::move(git);
    // Deleting is never refused for the commit it was planned from; anything else may be.
    auto refused = [&] {
      report.refusal = GitRefusal(s, o.git, *current);
      if (report.refusal.empty()) return false;
      report.stage = ApplyReport::Stage::kRefused;
      s.FlushDiagnostics();
      return true;
    };
    if (o.plan_file.empty() && !destroy && refused()) break;
    plan::Plan& p = s.Keep(plan::Plan());
    if (!(o.plan_file.empty() ? BuildPlan(s, o, destroy, *current, &p)
                              : LoadSavedPlan(s, o, *current, &p)))
      break;
    // A saved plan says itself whether it destroys (cairn plan --destroy -out FILE).
    if (!o.plan_file.empty()) {
      destroy = p.destroy;
      if (!destroy && refused()) break;
    }
    std::cout << RenderPlanFor(p, o, s.color_out());
    if (s.json()) doc["plan"] = PlanJson(p, o.refresh_only, !o.targets.empty());
    CountChanges(p, &report);
    if (!p.HasChanges()) {
      report.stage = ApplyReport::Stage::kNoChanges;
      // Drift accepted into state even when nothing needs changing.
      if (!p.drift.empty()) {
        state::State refreshed = p.refreshed;
        refreshed.serial = current->serial + 1;
        Status saved = s.backend().Save(refreshed);
        if (!saved.ok()) {
          s.diags().AddStatus(saved);
          s.FlushDiagnostics();
          break;
        }
        changed = true;
        doc["state_serial"] = refreshed.serial;
      }
      code = kExitOk;
      break;
    }
    if (o.approve && !o.approve(p)) {  // the caller's policy holds this plan back
      report.stage = ApplyReport::Stage::kHeld;
      break;
    }
    // A saved plan was reviewed when it was made: applying it asks nothing.
    if (!o.approve && !o.auto_approve && o.plan_file.empty() && !Confirm(destroy, s.color_out())) {
      std::cout << (destroy ? "Destroy" : "Apply") << " cancelled.\n";
      break;
    }
    if (interrupts.stop.load()) {
      std::cout << "Interrupted before anything was changed.\n";
      code = kExitInterrupted;
      break;
    }
    Result<std::unique_ptr<state::Journal>> journal = s.backend().OpenJournal(*current);
    if (!journal.ok()) {
      s.diags().AddStatus(journal.status());
      s.FlushDiagnostics();
      break;
    }
    size_t total = p.changes.size() - p.Count(plan::Action::kNoOp);
    ProgressPrinter progress(s.color_out(), total);
    apply::ApplyOptions ao;
    ao.parallelism = o.parallelism;
    ao.on_event = [&progress, &outcomes](const apply::ApplyEvent& e) {
      outcomes.Record(e);
      progress.OnEvent(e);
    };
    ao.on_retry = [&progress](const apply::RetryEvent& e) { progress.OnRetry(e); };
    ao.max_retries = o.max_retries;
    apply::ParseDuration(o.timeout, &ao.default_timeout_seconds);  // checked by the flag
    ao.stop = &interrupts.stop;
    ao.abort = &interrupts.abort;
    std::cout << "\n";
    apply::ApplyResult& result =
        s.Keep(apply::Apply(p, s.providers(), journal->get(), p.refreshed, ao));
    progress.Finish();

    // The journal already holds every completed step; the snapshot compacts it.
    result.state.serial = current->serial + 1;
    bool interrupted = interrupts.stop.load();
    std::string outcome =
        interrupted ? "interrupted" : (result.failed_addresses.empty() ? "success" : "failed");
    state::AppendHistory(
        &result.state,
        state::ApplyRecordToValue(
            NewApplyRecord(s, report, destroy ? "destroy" : "apply", result.state.serial, outcome)),
        state::kHistoryKept);
    Status saved = s.backend().Save(result.state);
    Status closed = (*journal)->Close();
    s.diags().Append(result.diags);
    if (!saved.ok()) s.diags().AddStatus(saved);
    s.FlushDiagnostics();
    changed = true;
    if (s.json()) doc.update(ApplyResultsJson(p, outcomes, result.state.serial));

    bool failed = !result.failed_addresses.empty() || !saved.ok();
    report.stage = ApplyReport::Stage::kApplied;
    report.failed = failed || interrupted;
    std::cout << RenderApplyReport(p, result,
                                   ReportContext{destroy, interrupted, saved.ok(), s.color_out()});
    code = interrupted ? kExitInterrupted : (failed ? kExitError : kExitOk);
  } while (false);
  RemoveInterruptHandlers();
  Status unlocked = s.backend().Unlock(lock->id);
  if (!unlocked.ok()) std::cerr << "warning: " << unlocked.message() << "\n";
  if (o.detailed_exitcode && code == kExitOk && changed) code = kExitChanges;
  return finish(code);
}

void AddApplyCommand(CLI::App& root, std::vector<Command>* out) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = root.add_subcommand("apply", "Make live systems match the blueprint");
  AddRunFlags(cmd, opts.get(), true);
  cmd->add_flag("--refresh-only", opts->refresh_only,
                "Record drift in the state; change nothing live");
  cmd->add_option("plan_file", opts->plan_file,
                  "A plan saved with `cairn plan -out FILE`: apply exactly it");
  cmd->footer(
      "Examples:\n"
      "  cairn apply\n"
      "  cairn apply --auto-approve --parallelism 20\n"
      "  cairn plan -out site.plan && cairn apply site.plan\n"
      "  cairn apply --refresh-only --auto-approve\n"
      "  cairn apply --auto-approve --json --detailed-exitcode\n\n"
      "Exit codes: 0 success, 1 error (or a stale saved plan), 2 changes applied (only with "
      "--detailed-exitcode), 130 interrupted.");
  out->push_back({cmd, [opts](Session& s) {
                    s.set_json(opts->json);
                    return RunApply(s, *opts, false);
                  }});
}

void AddDestroyCommand(CLI::App& root, std::vector<Command>* out) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = root.add_subcommand("destroy", "Delete everything in the state");
  AddRunFlags(cmd, opts.get(), true);
  cmd->footer(
      "Examples:\n"
      "  cairn destroy --auto-approve\n"
      "  cairn destroy --target local.directory.site --auto-approve\n\n"
      "Exit codes: 0 success, 1 error, 2 something was destroyed (only with "
      "--detailed-exitcode), 130 interrupted.");
  out->push_back({cmd, [opts](Session& s) {
                    s.set_json(opts->json);
                    return RunApply(s, *opts, true);
                  }});
}

}  // namespace cairn::cli
