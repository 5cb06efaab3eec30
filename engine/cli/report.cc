#include "engine/cli/report.h"

#include <map>

#include "engine/base/term.h"

namespace cairn::cli {
namespace {

using plan::Action;

// The Terraform-style line users and scripts already look for.
std::string ResourcesLine(const apply::ApplyResult& r, bool destroy) {
  size_t added = 0, changed = 0, destroyed = 0;
  for (const auto& [action, n] : r.done_by_action) {
    switch (action) {
      case Action::kCreate: added += n; break;
      case Action::kUpdate: changed += n; break;
      case Action::kDelete: destroyed += n; break;
      case Action::kDeleteThenCreate:
      case Action::kCreateThenDelete:
        added += n;
        destroyed += n;
        break;
      case Action::kNoOp: break;
    }
  }
  if (destroy) return "Resources: " + std::to_string(destroyed) + " destroyed.";
  return "Resources: " + std::to_string(added) + " added, " + std::to_string(changed) +
         " changed, " + std::to_string(destroyed) + " destroyed.";
}

const char* Past(Action a) {
  switch (a) {
    case Action::kCreate: return "created";
    case Action::kUpdate: return "updated";
    case Action::kDelete: return "destroyed";
    case Action::kDeleteThenCreate:
    case Action::kCreateThenDelete: return "replaced";
    case Action::kNoOp: break;
  }
  return "unchanged";
}

std::string Count(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string RenderApplyReport(const plan::Plan& p, const apply::ApplyResult& r,
                              const ReportContext& ctx) {
  Style st(ctx.color);
  std::string verb = ctx.destroy ? "Destroy" : "Apply";
  bool failed = !r.failures.empty() || !ctx.saved;
  std::string out = "\n";
  if (failed) {
    out += st.Red(st.Bold(verb + " failed."));
  } else if (ctx.interrupted) {
    out += st.Yellow(st.Bold("Interrupted."));
  } else {
    out += st.Green(st.Bold(verb + " complete!"));
  }
  out += " " + ResourcesLine(r, ctx.destroy) + "\n";

  std::string done;
  for (const auto& [action, n] : r.done_by_action)
    done += (done.empty() ? "" : ", ") + std::to_string(n) + " " + Past(action);
  if (!done.empty() && (failed || ctx.interrupted || r.retries > 0)) {
    out += "\n" + st.Bold("Succeeded:") + " " + done;
    if (r.retries > 0) out += " (after " + Count(r.retries, "retry", "retries") + ")";
    out += "\n";
  } else if (r.retries > 0) {
    out += "Transient failures were retried " + Count(r.retries, "time", "times") + ".\n";
  }

  if (!r.failures.empty()) {
    out += "\n" + st.Red(st.Bold("Failed (" + std::to_string(r.failures.size()) + "):")) + "\n";
    for (const apply::StepFailure& f : r.failures) {
      out +=
          "  " + st.Bold(f.address) + " (" + plan::ActionName(f.action) + "): " + f.message + "\n";
      if (!f.hint.empty()) out += "    " + st.Cyan("hint:") + " " + f.hint + "\n";
    }
  }
  if (!r.skips.empty()) {
    out += "\n" +
           st.Yellow(st.Bold("Skipped, because something they need failed (" +
                             std::to_string(r.skips.size()) + "):")) +
           "\n";
    for (const apply::StepSkip& s : r.skips)
      out += "  " + s.address + " (" + plan::ActionName(s.action) + "): needs " + s.cause + "\n";
  }
  if (!r.not_started_addresses.empty()) {
    std::map<std::string, Action> actions;
    for (const plan::ResourceChange& c : p.changes) actions[c.address] = c.action;
    out += "\n" +
           st.Yellow(st.Bold("Not started, because of the interrupt (" +
                             std::to_string(r.not_started_addresses.size()) + "):")) +
           "\n";
    for (const std::string& a : r.not_started_addresses) {
      auto it = actions.find(a);
      out += "  " + a +
             (it == actions.end() ? "" : std::string(" (") + plan::ActionName(it->second) + ")") +
             "\n";
    }
  }
  if (!ctx.saved) out += "\nThe state could not be saved; see the error above.\n";
  if (ctx.interrupted || !r.skips.empty() || !r.not_started_addresses.empty())
    out += "\nWhat was done is recorded in the state; run `cairn " +
           std::string(ctx.destroy ? "destroy" : "apply") + "` again to finish.\n";
  return out;
}

}  // namespace cairn::cli
