#include <iostream>

#include "engine/cli/commands.h"

namespace cairn::cli {

// Reports every problem in the blueprint at once: schema, semantics, provider attributes.
int RunValidate(Session& s) {
  bool ok = s.LoadBlueprint() && s.LoadProviders() && s.Expand();
  s.FlushDiagnostics();
  if (!ok) return kExitError;
  std::cout << "The blueprint " << s.options().file << " is valid (" << s.desired().size()
            << (s.desired().size() == 1 ? " resource" : " resources") << ").\n";
  return kExitOk;
}

}  // namespace cairn::cli
