#include <iostream>
#include <memory>

#include "engine/cli/commands.h"
#include "engine/cli/json_view.h"

namespace cairn::cli {
namespace {

// Reports every problem in the blueprint at once: schema, semantics, provider attributes.
// Secrets are not read, so validation works without credentials (plan and apply read them).
int RunValidate(Session& s) {
  bool ok = s.LoadBlueprint(/*resolve_secrets=*/false) &&
            s.LoadProviders(Session::PluginSet::kNamedByBlueprint) && s.Expand();
  s.FlushDiagnostics();
  if (s.json()) {
    nlohmann::json doc = JsonDocument("validate");
    doc["valid"] = ok;
    doc["file"] = s.options().file;
    doc["resource_count"] = ok ? s.desired().size() : 0;
    std::vector<Diagnostic> diags = s.TakeJsonDiagnostics();
    size_t errors = 0, warnings = 0;
    for (const Diagnostic& d : diags) ++(d.severity == Severity::kError ? errors : warnings);
    doc["error_count"] = errors;
    doc["warning_count"] = warnings;
    PrintJson(std::move(doc), diags);
    return ok ? kExitOk : kExitError;
  }
  if (!ok) return kExitError;
  std::cout << "The blueprint " << s.options().file << " is valid (" << s.desired().size()
            << (s.desired().size() == 1 ? " resource" : " resources") << ").\n";
  return kExitOk;
}

}  // namespace

void AddValidateCommand(CLI::App& root, std::vector<Command>* out) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand("validate", "Check the blueprint and report every problem");
  cmd->add_flag("--json", *json, "Print one JSON document on stdout (see docs/json.md)");
  cmd->footer(
      "Examples:\n"
      "  cairn validate -f blueprints/homelab.yaml\n"
      "  cairn validate --json | jq '.diagnostics[] | \"\\(.file):\\(.line): \\(.summary)\"'\n\n"
      "Exit codes: 0 valid, 1 problems found.");
  out->push_back({cmd, [json](Session& s) {
                    s.set_json(*json);
                    return RunValidate(s);
                  }});
}

}  // namespace cairn::cli
