// cairn diff REV1 REV2: what the blueprint of one commit asks for that the other does not, shown
// as a plan. Only the blueprints (and in-repository plugins) of the two commits are read: no
// state, no live system, no secret values.
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "engine/cli/commands.h"
#include "engine/plan/render.h"

namespace cairn::cli {
namespace {

struct DiffOptions {
  std::string from;
  std::string to;
  bool detailed_exitcode = false;
};

// Expands the blueprint of `rev` into desired resources with the plugins of that commit.
bool DesiredAt(Session& s, const std::string& rev) {
  bool ok = s.OpenGit(rev) && s.LoadBlueprint(/*resolve_secrets=*/false) && s.LoadProviders() &&
            s.Expand();
  s.FlushDiagnostics();
  return ok;
}

// Marks the attributes the type declares sensitive, so that the rendering hides them.
Value Sensitized(const Value& attrs, const provider::ResourceType* type) {
  Value out = attrs;
  if (type == nullptr || !out.is_map()) return out;
  for (const auto& [name, attr] : type->attributes)
    if (attr.sensitive)
      if (Value* v = out.FindMutable(name)) v->sensitive = true;
  return out;
}

plan::ResourceChange ChangeBetween(const provider::DesiredResource* a,
                                   const provider::DesiredResource* b,
                                   const provider::Registry& types) {
  const provider::DesiredResource& any = b != nullptr ? *b : *a;
  plan::ResourceChange c;
  c.address = any.address;
  c.type = any.type;
  c.provider = any.provider;
  const provider::ResourceType* type = types.FindType(any.type);
  if (a != nullptr) c.before = Sensitized(a->attributes, type);
  if (b != nullptr) c.after = Sensitized(b->attributes, type);
  if (a == nullptr) {
    c.action = plan::Action::kCreate;
    return c;
  }
  if (b == nullptr || a->type != b->type) {
    c.action = b == nullptr ? plan::Action::kDelete : plan::Action::kDeleteThenCreate;
    return c;
  }
  if (c.before == c.after) return c;  // kNoOp
  c.action = plan::Action::kUpdate;
  std::set<std::string> keys;
  for (const auto& [k, v] : c.before.AsMap()) keys.insert(k);
  for (const auto& [k, v] : c.after.AsMap()) keys.insert(k);
  for (const std::string& k : keys) {
    const Value* x = c.before.Find(k);
    const Value* y = c.after.Find(k);
    bool same = (x == nullptr) == (y == nullptr) && (x == nullptr || *x == *y);
    if (same || type == nullptr) continue;
    auto attr = type->attributes.find(k);
    if (attr != type->attributes.end() && attr->second.force_new) c.requires_replace.push_back(k);
  }
  if (!c.requires_replace.empty())
    c.action = type->create_before_destroy ? plan::Action::kCreateThenDelete
                                           : plan::Action::kDeleteThenCreate;
  return c;
}

int RunDiff(const GlobalOptions& g, const DiffOptions& o) {
  Session from(g), to(g);
  if (!DesiredAt(from, o.from) || !DesiredAt(to, o.to)) return kExitError;
  std::map<std::string, const provider::DesiredResource*> before, after;
  for (const provider::DesiredResource& d : from.desired()) before[d.address] = &d;
  for (const provider::DesiredResource& d : to.desired()) after[d.address] = &d;
  plan::Plan p;
  for (const auto& [address, d] : after) {
    auto it = before.find(address);
    p.changes.push_back(
        ChangeBetween(it == before.end() ? nullptr : it->second, d, to.providers()));
  }
  for (const auto& [address, d] : before)
    if (after.count(address) == 0) p.changes.push_back(ChangeBetween(d, nullptr, from.providers()));
  std::cout << "From " << o.from << " (" << from.git()->commit.ShortId() << ") to " << o.to << " ("
            << to.git()->commit.ShortId()
            << "), as the two blueprints declare it; no live system was read.\n\n"
            << plan::RenderPlan(p, to.color_out());
  return o.detailed_exitcode && p.HasChanges() ? kExitChanges : kExitOk;
}

}  // namespace

void AddDiffCommand(CLI::App& root, std::vector<Command>* out) {
  auto opts = std::make_shared<DiffOptions>();
  CLI::App* cmd =
      root.add_subcommand("diff", "Show what changes between the blueprints of two commits");
  cmd->add_option("rev1", opts->from, "The older commit, branch or tag")->required();
  cmd->add_option("rev2", opts->to, "The newer commit, branch or tag")->required();
  cmd->add_flag("--detailed-exitcode", opts->detailed_exitcode,
                "Exit 0 when the blueprints ask for the same, 2 when they differ, 1 on error");
  cmd->footer(
      "Compares the resources the two blueprints declare (after expansion, with references "
      "and secrets unresolved); reads neither the state nor live systems.\n\n"
      "Examples:\n"
      "  cairn diff HEAD~1 HEAD\n"
      "  cairn diff v1.2 main --detailed-exitcode\n\n"
      "Exit codes: 0 success (with --detailed-exitcode: no differences), 1 error, 2 differences "
      "(only with --detailed-exitcode).");
  out->push_back({cmd, [opts](Session& s) { return RunDiff(s.options(), *opts); }});
}

}  // namespace cairn::cli
