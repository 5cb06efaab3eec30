#include <iostream>
#include <memory>

#include "engine/cli/commands.h"
#include "engine/cli/json_view.h"
#include "engine/plan/render.h"

namespace cairn::cli {
namespace {

// Prints the state as cairn last recorded it; needs no providers and reads no live system.
int RunShow(Session& s) {
  nlohmann::json doc = JsonDocument("show");
  auto finish = [&](int code) {
    if (s.json()) PrintJson(std::move(doc), s.TakeJsonDiagnostics());
    return code;
  };
  if (!s.LoadBlueprint(/*resolve_secrets=*/false) || !s.OpenBackend()) {
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  Result<state::State> st = s.backend().Load();
  if (!st.ok()) {
    s.diags().AddStatus(st.status());
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  if (s.json()) {
    doc["lineage"] = st->lineage;
    doc["serial"] = st->serial;
    nlohmann::json resources = nlohmann::json::array();
    for (const auto& [address, r] : st->resources) resources.push_back(ResourceJson(r));
    doc["resources"] = std::move(resources);
    return finish(kExitOk);
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
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand("show", "Print the state in human form");
  cmd->add_flag("--json", *json, "Print one JSON document on stdout (see docs/json.md)");
  cmd->footer(
      "Examples:\n"
      "  cairn show\n"
      "  cairn show --json | jq '.resources[].address'\n\n"
      "Exit codes: 0 success, 1 error.");
  out->push_back({cmd, [json](Session& s) {
                    s.set_json(*json);
                    return RunShow(s);
                  }});
}

}  // namespace cairn::cli
