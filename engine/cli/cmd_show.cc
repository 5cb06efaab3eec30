#include <iostream>

#include "engine/cli/commands.h"
#include "engine/plan/render.h"

namespace cairn::cli {
namespace {

// Prints the state as cairn last recorded it; needs no providers and reads no live system.
int RunShow(Session& s) {
  if (!s.LoadBlueprint() || !s.OpenBackend()) {
    s.FlushDiagnostics();
    return kExitError;
  }
  Result<state::State> st = s.backend().Load();
  if (!st.ok()) {
    s.diags().AddStatus(st.status());
    s.FlushDiagnostics();
    return kExitError;
  }
  if (st->resources.empty()) {
    std::cout << "The state is empty: nothing has been applied yet.\n";
    return kExitOk;
  }
  std::cout << plan::RenderState(*st, s.color_out());
  return kExitOk;
}

}  // namespace

void AddShowCommand(CLI::App& root, std::vector<Command>* out) {
  CLI::App* cmd = root.add_subcommand("show", "Print the state in human form");
  cmd->footer("Example:\n  cairn show");
  out->push_back({cmd, RunShow});
}

}  // namespace cairn::cli
