// cairn graph: the resource graph in Graphviz DOT, optionally coloured by the planned action.
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "engine/cli/commands.h"
#include "engine/graph/refs.h"

namespace cairn::cli {
namespace {

/// Flags of graph.
struct GraphArgs {
  bool plan = false;
  RunOptions run;
};

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

const char* ColorOf(plan::Action a) {
  switch (a) {
    case plan::Action::kCreate: return "palegreen";
    case plan::Action::kUpdate: return "lightgoldenrod1";
    case plan::Action::kDeleteThenCreate:
    case plan::Action::kCreateThenDelete:
    case plan::Action::kDelete: return "lightcoral";
    case plan::Action::kNoOp: break;
  }
  return "gray90";
}

int RunGraph(Session& s, const GraphArgs& a) {
  if (!s.LoadBlueprint(/*resolve_secrets=*/a.plan) || !s.LoadProviders() || !s.Expand() ||
      !s.OpenBackend()) {
    s.FlushDiagnostics();
    return kExitError;
  }
  Result<state::State> current = s.backend().Load();
  if (!current.ok()) {
    s.diags().AddStatus(current.status());
    s.FlushDiagnostics();
    return kExitError;
  }
  // Edges point from a resource to what it needs, as in the plan's depends_on.
  std::set<std::string> nodes;
  std::set<std::pair<std::string, std::string>> edges;
  for (const provider::DesiredResource& d : s.desired()) {
    nodes.insert(d.address);
    for (const std::string& dep : d.depends_on) edges.insert({d.address, dep});
    std::vector<graph::Reference> refs;
    Diagnostics ignored;  // malformed references are validate's business
    graph::FindReferences(d.attributes, &refs, &ignored);
    for (const graph::Reference& r : refs) edges.insert({d.address, r.address});
  }
  for (const auto& [address, r] : current->resources) {
    nodes.insert(address);
    for (const std::string& dep : r.dependencies) edges.insert({address, dep});
  }
  std::map<std::string, plan::Action> actions;
  if (a.plan) {
    Result<state::LockInfo> lock = s.backend().Lock("graph");
    if (!lock.ok()) {
      s.diags().AddStatus(lock.status());
      s.FlushDiagnostics();
      return kExitError;
    }
    plan::Plan p;
    bool ok = BuildPlan(s, a.run, /*destroy=*/false, *current, &p);
    Status unlocked = s.backend().Unlock(lock->id);
    if (!unlocked.ok()) std::cerr << "warning: " << unlocked.message() << "\n";
    if (!ok) return kExitError;
    for (const plan::ResourceChange& c : p.changes) actions[c.address] = c.action;
  }
  std::cout << "digraph cairn {\n  rankdir = \"RL\";\n  node [shape = box, style = \"rounded\"];\n";
  for (const std::string& n : nodes) {
    std::cout << "  " << Quote(n);
    if (a.plan) {
      auto it = actions.find(n);
      plan::Action act = it == actions.end() ? plan::Action::kNoOp : it->second;
      std::string glyph = plan::ActionGlyph(act);
      std::cout << " [label = " << Quote(glyph.empty() ? n : glyph + " " + n)
                << ", style = \"rounded,filled\", fillcolor = " << ColorOf(act) << "]";
    }
    std::cout << ";\n";
  }
  for (const auto& [from, to] : edges)
    if (nodes.count(to) != 0) std::cout << "  " << Quote(from) << " -> " << Quote(to) << ";\n";
  std::cout << "}\n";
  return kExitOk;
}

}  // namespace

void AddGraphCommand(CLI::App& root, std::vector<Command>* out) {
  auto args = std::make_shared<GraphArgs>();
  CLI::App* cmd = root.add_subcommand(
      "graph", "Print the resource graph (blueprint and state) in Graphviz DOT");
  cmd->add_flag("--plan", args->plan,
                "Plan first and colour nodes by action (create green, update yellow, "
                "replace/delete red, no-op grey)");
  cmd->add_flag("--no-refresh", args->run.no_refresh,
                "With --plan: trust the state; do not read live objects");
  cmd->footer(
      "Examples:\n"
      "  cairn graph | dot -Tsvg > graph.svg\n"
      "  cairn graph --plan | dot -Tpng > plan.png\n\n"
      "Edges point from a resource to what it needs (depends_on and ${...} references).\n"
      "Exit codes: 0 success, 1 error.");
  out->push_back({cmd, [args](Session& s) { return RunGraph(s, *args); }});
}

}  // namespace cairn::cli
