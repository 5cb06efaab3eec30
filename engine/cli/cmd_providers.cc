// cairn providers: which plugins are found, and the schema of every resource type they manage.
#include <filesystem>
#include <iostream>
#include <memory>

#include "engine/base/term.h"
#include "engine/cli/commands.h"
#include "engine/cli/json_view.h"

namespace cairn::cli {
namespace {

std::string Flags(const provider::Attribute& a) {
  std::string out;
  auto add = [&out](bool on, const char* name) {
    if (on) out += std::string(out.empty() ? "" : ", ") + name;
  };
  add(a.required, "required");
  add(!a.required && !a.computed, "optional");
  add(a.computed, "computed");
  add(a.force_new, "force_new");
  add(a.sensitive, "sensitive");
  return out;
}

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

void PrintProviders(const provider::Registry& providers, bool color) {
  Style st(color);
  bool first = true;
  for (const auto& [name, p] : providers.all()) {
    const provider::ProviderSchema& s = p->Schema();
    if (!first) std::cout << "\n";
    first = false;
    std::cout << st.Bold(s.name) << " " << s.version << "  " << st.Dim(s.source) << "\n";
    if (!s.description.empty()) std::cout << "  " << s.description << "\n";
    for (const auto& [tname, t] : s.resources) {
      std::cout << "\n  " << st.Bold(tname) << (t.has_import ? "  (importable)" : "") << "\n";
      if (!t.description.empty()) std::cout << "    " << t.description << "\n";
      size_t width = 0;
      for (const auto& [aname, a] : t.attributes) width = std::max(width, aname.size());
      for (const auto& [aname, a] : t.attributes) {
        std::cout << "    " << Pad(aname, width) << "  " << Pad(provider::AttrTypeName(a.type), 6)
                  << "  " << Pad(Flags(a), 28);
        if (!a.description.empty()) std::cout << "  " << a.description;
        std::cout << "\n";
      }
    }
  }
}

int RunProviders(Session& s) {
  // The blueprint is optional here: it only adds plugin folders.
  bool ok = true;
  if (std::filesystem::exists(s.options().file)) ok = s.LoadBlueprint(/*resolve_secrets=*/false);
  ok = ok && s.LoadPlugins();
  s.FlushDiagnostics();
  if (s.json()) {
    nlohmann::json doc = JsonDocument("providers");
    doc["providers"] = ProvidersJson(s.providers());
    PrintJson(std::move(doc), s.TakeJsonDiagnostics());
    return ok ? kExitOk : kExitError;
  }
  if (!ok) return kExitError;
  if (s.providers().all().empty()) {
    std::cout << "No plugins found.\n";
    return kExitOk;
  }
  PrintProviders(s.providers(), s.color_out());
  return kExitOk;
}

}  // namespace

void AddProvidersCommand(CLI::App& root, std::vector<Command>* out) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand(
      "providers", "List the plugins with their resource types and attribute schemas");
  cmd->add_flag("--json", *json, "Print one JSON document on stdout (see docs/json.md)");
  cmd->footer(
      "Examples:\n"
      "  cairn providers\n"
      "  cairn --plugin-dir ./my-plugins providers\n"
      "  cairn providers --json | jq '.providers[].name'\n\n"
      "Exit codes: 0 success, 1 a plugin failed to load.");
  out->push_back({cmd, [json](Session& s) {
                    s.set_json(*json);
                    return RunProviders(s);
                  }});
}

}  // namespace cairn::cli
