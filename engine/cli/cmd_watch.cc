// cairn watch: follows a branch of a remote, and for every new commit plans and then applies,
// holds the plan for a person, or only reports, as --auto-approve says. Each apply goes through
// RunApply, the same path as `cairn apply --rev COMMIT`.
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <thread>

#include "engine/apply/retry.h"
#include "engine/cli/commands.h"
#include "engine/cli/signals.h"
#include "engine/cli/watch_status.h"
#include "engine/state/history.h"
#include "engine/state/lock_info.h"

namespace cairn::cli {
namespace {

struct WatchOptions {
  std::string remote = "origin";
  std::string branch = "main";
  std::string interval = "1m";
  std::string max_backoff = "10m";
  std::string approve;  // "": report only; "all"; "safe": only plans that delete nothing
  std::string status_file;
  std::string log_file;
  git::FetchOptions fetch;
  bool once = false;
  RunOptions run;  // parallelism, retries, timeout, signature checks
};

// Sleeps up to `seconds`, waking early when a signal asked watch to stop.
void SleepUnlessStopped(double seconds, const InterruptFlags& flags) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!flags.stop.load() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// The decision for a plan of `commit`, from what RunApply reported; `error` is the first error
// it printed, so that the status file says why without the log.
void Decide(const WatchOptions& w, const ApplyReport& r, const std::string& commit,
            const std::string& error, WatchDecision* d) {
  d->plan = r;
  std::string by_hand = "run `cairn apply --rev " + commit.substr(0, 12) + "` to apply it";
  switch (r.stage) {
    case ApplyReport::Stage::kFailedEarly:
      d->decision = "plan-failed";
      d->reason = error.empty() ? "the plan could not be made (see the log above)"
                                : "the plan could not be made: " + error;
      break;
    case ApplyReport::Stage::kRefused:
      d->decision = "refused";
      d->reason = r.refusal;
      break;
    case ApplyReport::Stage::kNoChanges: d->decision = "no-changes"; break;
    case ApplyReport::Stage::kHeld:
      d->decision = w.approve.empty() ? "planned" : "held";
      d->reason = w.approve.empty()
                      ? "report only (no --auto-approve); " + by_hand
                      : "the plan deletes or replaces resources, which --auto-approve=safe "
                        "leaves to a person; " +
                            by_hand;
      break;
    case ApplyReport::Stage::kApplied:
      d->decision = r.failed ? "apply-failed" : "applied";
      if (r.failed)
        d->reason = error.empty() ? "some changes failed (see the log above)"
                                  : "some changes failed: " + error;
      break;
  }
}

bool IsFailure(const std::string& decision) {
  return decision == "fetch-failed" || decision == "plan-failed" || decision == "apply-failed";
}

// Plans (and perhaps applies) `commit` through RunApply; returns the decision.
WatchDecision PlanCommit(const GlobalOptions& g, const WatchOptions& w, const std::string& commit,
                         WatchOutputs* out) {
  WatchDecision d;
  d.commit = commit;
  Session cycle(g);
  ApplyReport report;
  RunOptions o = w.run;
  o.git.rev = commit;
  o.git.allow_rollback = false;  // never apply an older commit than the live one
  o.auto_approve = true;
  o.report = &report;
  std::string mode = w.approve;
  o.approve = [mode](const plan::Plan& p) {
    if (mode == "all") return true;
    if (mode != "safe") return false;
    return p.Count(plan::Action::kDelete) == 0 && p.Count(plan::Action::kDeleteThenCreate) == 0 &&
           p.Count(plan::Action::kCreateThenDelete) == 0;
  };
  RunApply(cycle, o, /*destroy=*/false);
  if (GitSource* src = cycle.git(); src != nullptr) d.subject = src->commit.summary;
  Decide(w, report, commit, cycle.first_error(), &d);
  if (report.stage != ApplyReport::Stage::kFailedEarly) {
    Result<state::State> st = cycle.backend().Load();
    if (st.ok()) out->live_commit = state::LastAppliedCommit(*st);
  }
  return d;
}

int RunWatch(const GlobalOptions& g, const WatchOptions& w) {
  double interval = 60, max_backoff = 600;
  apply::ParseDuration(w.interval, &interval);  // both checked by their flags
  apply::ParseDuration(w.max_backoff, &max_backoff);
  Result<std::unique_ptr<git::Repo>> repo = git::Repo::Discover(g.file);
  if (!repo.ok()) {
    std::cerr << "error: cairn watch needs the blueprint in a clone of the watched repository: "
              << repo.status().message()
              << "\n  hint: git clone the repository and run cairn watch -f "
                 "CLONE/path/to/blueprint.yaml\n";
    return kExitError;
  }
  WatchOutputs out;
  out.remote = w.remote;
  out.branch = w.branch;
  std::string state_dir = Session(g).StateDir();
  out.status_file = w.status_file.empty() ? state_dir + "/watch-status.json" : w.status_file;
  out.log_file = w.log_file.empty() ? state_dir + "/watch-log.jsonl" : w.log_file;
  std::cout << "Watching " << w.branch << " of " << w.remote << " every " << w.interval << " ("
            << (w.approve.empty()     ? "report only"
                : w.approve == "safe" ? "applying plans that delete nothing"
                                      : "applying every plan")
            << "); status in " << out.status_file << "\n"
            << std::flush;

  InterruptFlags flags;
  InstallInterruptHandlers(&flags);
  std::string decided;  // the commit last decided on for good (not retried)
  int failures = 0;
  int code = kExitOk;
  while (!flags.stop.load()) {
    WatchDecision d;
    Result<std::string> head = (*repo)->FetchBranch(w.remote, w.branch, w.fetch);
    if (!head.ok()) {
      d.decision = "fetch-failed";
      d.reason = head.status().message();
      if (!head.status().hint().empty()) d.reason += " (hint: " + head.status().hint() + ")";
    } else if (*head == decided) {
      if (w.once) break;
      SleepUnlessStopped(interval, flags);
      continue;
    } else {
      d = PlanCommit(g, w, *head, &out);
    }
    failures = IsFailure(d.decision) ? failures + 1 : 0;
    if (failures == 0) decided = d.commit;
    d.failures = failures;
    d.next_check_seconds =
        failures == 0 ? interval : std::min(max_backoff, interval * std::pow(2.0, failures));
    d.time = state::NowRfc3339();
    std::cout << d.time << " " << (d.commit.empty() ? "-" : d.commit.substr(0, 12)) << " "
              << d.decision << (d.reason.empty() ? "" : ": " + d.reason)
              << (d.commit.empty() ? "" : " (" + CountsText(d.plan) + ")") << "\n"
              << std::flush;
    Status recorded = RecordDecision(out, d);
    if (!recorded.ok()) std::cerr << "warning: " << recorded.message() << "\n";
    if (w.once) {
      code = failures > 0 || d.decision == "refused" ? kExitError : kExitOk;
      break;
    }
    SleepUnlessStopped(d.next_check_seconds, flags);
  }
  RemoveInterruptHandlers();
  if (flags.stop.load()) std::cout << "Stopped.\n";
  return code;
}

CLI::Validator DurationCheck() {
  return CLI::Validator(
      [](std::string& s) {
        double d = 0;
        return apply::ParseDuration(s, &d) && d > 0 ? "" : "expected a duration like 30s or 5m";
      },
      "DURATION");
}

}  // namespace

void AddWatchCommand(CLI::App& root, std::vector<Command>* out) {
  auto w = std::make_shared<WatchOptions>();
  CLI::App* cmd = root.add_subcommand(
      "watch", "Follow a git branch: plan every new commit, and apply it if allowed");
  cmd->add_option("--remote", w->remote, "Remote name or URL (file://, git://, https://, ssh://)")
      ->default_val("origin");
  cmd->add_option("--branch", w->branch, "Branch to follow")->default_val("main");
  cmd->add_option("--interval", w->interval, "Time between fetches")
      ->default_val("1m")
      ->check(DurationCheck());
  cmd->add_option("--max-backoff", w->max_backoff, "Longest wait after repeated failures")
      ->default_val("10m")
      ->check(DurationCheck());
  cmd->add_option("--auto-approve", w->approve,
                  "Apply every plan (--auto-approve), or only plans that delete and replace "
                  "nothing (--auto-approve=safe); without it, only report")
      ->expected(0, 1)
      ->default_str("all")
      ->check(CLI::IsMember({"all", "safe"}));
  cmd->add_option("--status-file", w->status_file,
                  "JSON status file (default: watch-status.json in the state directory)");
  cmd->add_option("--log-file", w->log_file,
                  "Decision log, one JSON line each (default: watch-log.jsonl in the state "
                  "directory)");
  cmd->add_option("--ca-file", w->fetch.ca_file, "PEM CA bundle for https remotes")
      ->check(CLI::ExistingFile);
  cmd->add_option("--ssh-key", w->fetch.ssh_key, "Private key for ssh remotes")
      ->check(CLI::ExistingFile);
  cmd->add_option("--known-hosts", w->fetch.known_hosts,
                  "OpenSSH known_hosts file with the ssh remote's host key (default: "
                  "~/.ssh/known_hosts); any other host key is refused")
      ->check(CLI::ExistingFile);
  cmd->add_option("--parallelism", w->run.parallelism, "Provider calls in flight at once")
      ->default_val(10)
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--once", w->once, "Fetch and decide once, then exit");
  AddSignatureFlags(cmd, &w->run.git);
  cmd->footer(
      "Every decision is printed, appended to the decision log and written to the status file. "
      "A commit that is not a descendant of the live one is refused. Failures back off "
      "(doubling, up to --max-backoff). SIGTERM or Ctrl-C stops between steps.\n\n"
      "Examples:\n"
      "  cairn -f deploy/blueprint.yaml watch --interval 30s --auto-approve=safe\n"
      "  cairn watch --remote https://git.example/site.git --ca-file ca.pem --require-signed "
      "--allowed-signers deployers\n"
      "  cairn watch --remote ssh://deploy@git.example/site.git --ssh-key deploy_key "
      "--known-hosts known_hosts\n\n"
      "Exit codes: 0 stopped by a signal (with --once: decided), 1 error.");
  out->push_back({cmd, [w](Session& s) { return RunWatch(s.options(), *w); }});
}

}  // namespace cairn::cli
