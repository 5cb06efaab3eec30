#include <iostream>

#include "engine/cli/commands.h"

namespace cairn::cli {
namespace {

// Reports every problem in the blueprint at once: schema, semantics, provider attributes.
// Secrets are not read, so validation works without credentials (plan and apply read them).
int RunValidate(Session& s) {
  bool ok = s.LoadBlueprint(/*resolve_secrets=*/false) && s.LoadProviders() && s.Expand();
  s.FlushDiagnostics();
  if (!ok) return kExitError;
  std::cout << "The blueprint " << s.options().file << " is valid (" << s.desired().size()
            << (s.desired().size() == 1 ? " resource" : " resources") << ").\n";
  return kExitOk;
}

}  // namespace

void AddValidateCommand(CLI::App& root, std::vector<Command>* out) {
  CLI::App* cmd = root.add_subcommand("validate", "Check the blueprint and report every problem");
  cmd->footer("Example:\n  cairn validate -f blueprints/homelab.yaml");
  out->push_back({cmd, RunValidate});
}

}  // namespace cairn::cli
