#include "engine/cli/progress.h"

#include <cstdio>
#include <iostream>

#include "engine/base/term.h"

namespace cairn::cli {
namespace {

struct Verbs {
  const char* doing;
  const char* done;
};

Verbs VerbsFor(plan::Action a) {
  switch (a) {
    case plan::Action::kCreate: return {"Creating...", "Creation complete"};
    case plan::Action::kUpdate: return {"Modifying...", "Modifications complete"};
    case plan::Action::kDelete: return {"Destroying...", "Destruction complete"};
    case plan::Action::kDeleteThenCreate:
    case plan::Action::kCreateThenDelete: return {"Replacing...", "Replacement complete"};
    case plan::Action::kNoOp: break;
  }
  return {"Working...", "Complete"};
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.1fs" : "%.0fs", s);
  return buf;
}

}  // namespace

void ProgressPrinter::OnEvent(const apply::ApplyEvent& e) {
  Style st(color_);
  std::lock_guard<std::mutex> lock(mu_);
  Verbs v = VerbsFor(e.action);
  std::string line = st.Bold(e.address) + ": ";
  switch (e.kind) {
    case apply::ApplyEvent::Kind::kStart: line += v.doing; break;
    case apply::ApplyEvent::Kind::kDone:
      ++finished_;
      line += std::string(v.done) + " after " + Seconds(e.elapsed_seconds);
      if (!e.message.empty()) line += " " + e.message;
      line += st.Dim(" (" + std::to_string(finished_) + "/" + std::to_string(total_) + ")");
      break;
    case apply::ApplyEvent::Kind::kFailed:
      ++finished_;
      line += st.Red("Failed") + " after " + Seconds(e.elapsed_seconds);
      if (!e.message.empty()) line += ": " + e.message;
      break;
    case apply::ApplyEvent::Kind::kSkipped:
      ++finished_;
      line += st.Yellow("Skipped") + (e.message.empty() ? "" : ": " + e.message);
      break;
  }
  std::cout << line << "\n" << std::flush;
}

}  // namespace cairn::cli
