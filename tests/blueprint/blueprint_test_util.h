// Helpers for blueprint tests: load inline YAML and render what it produced.
#pragma once

#include <string>

#include "engine/base/diag.h"
#include "engine/blueprint/blueprint.h"

namespace cairn::blueprint::testing {

/// Loads `text` as a blueprint named `name`; fails the test on loader errors.
inline void AssertLoad(Blueprint* bp, const std::string& text,
                       const std::string& name = "blueprint.yaml") {
  Diagnostics diags;
  bool ok = LoadString(name, text, bp, &diags);
  ASSERT_TRUE(ok) << RenderDiagnostics(diags, false);
  ASSERT_TRUE(diags.empty()) << RenderDiagnostics(diags, false);
}

/// Loads and validates `text`, returning every diagnostic rendered without colour.
inline std::string ValidateText(const std::string& text,
                                const std::string& name = "blueprint.yaml") {
  Blueprint bp;
  Diagnostics diags;
  if (LoadString(name, text, &bp, &diags)) Validate(bp, &diags);
  return RenderDiagnostics(diags, false);
}

/// The "file:line:col: summary" lines only, one per diagnostic, for compact expectations.
inline std::string Summaries(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags.items()) {
    out += SourceFiles::Format(d.loc);
    out += d.severity == Severity::kError ? ": error: " : ": warning: ";
    if (!d.path.empty()) out += d.path + ": ";
    out += d.summary + "\n";
  }
  return out;
}

}  // namespace cairn::blueprint::testing
