#include "engine/plan/render.h"

#include <algorithm>
#include <string_view>
#include <thread>

#include "engine/base/term.h"
#include "engine/plan/attribute_writer.h"
#include "engine/plan/parallel.h"

namespace cairn::plan {
namespace {

// "local.file.motd" of type "local.file" -> "motd".
std::string_view NameOf(const std::string& address, const std::string& type) {
  if (address.size() > type.size() + 1 && address.compare(0, type.size(), type) == 0)
    return std::string_view(address).substr(type.size() + 1);
  return address;
}

void ResourceLine(const Palette& pal, std::string_view glyph, const std::string& type,
                  const std::string& address, std::string* out) {
  out->append(3 - std::max<size_t>(glyph.size(), 1), ' ');
  if (glyph.empty())
    *out += "  ";
  else if (glyph == "+" || glyph == "-" || glyph == "~")
    *out += pal.Glyph(glyph[0]);
  else
    *out += pal.st.Yellow(glyph) + " ";
  *out += "resource \"";
  *out += type;
  *out += "\" \"";
  *out += NameOf(address, type);
  *out += "\" {\n";
}

const char* Headline(Action a) {
  switch (a) {
    case Action::kCreate: return "will be created";
    case Action::kUpdate: return "will be updated in-place";
    case Action::kDeleteThenCreate: return "must be replaced";
    case Action::kCreateThenDelete: return "must be replaced (create before destroy)";
    case Action::kDelete: return "will be destroyed";
    case Action::kNoOp: return "is unchanged";
  }
  return "";
}

// "  # address" in bold, then the rest of the heading line.
void Heading(const Palette& pal, const std::string& address, const char* rest, std::string* out) {
  *out += pal.heading_open;
  *out += address;
  *out += pal.heading_close;
  *out += rest;
  *out += '\n';
}

void RenderChange(const Palette& pal, const ResourceChange& c, std::string* out) {
  Heading(pal, c.address, Headline(c.action), out);
  if (!c.reason.empty()) {
    *out += "  # (because ";
    *out += c.reason;
    *out += ")\n";
  }
  ResourceLine(pal, ActionGlyph(c.action), c.type, c.address, out);
  static const Value kNone;
  AttributeWriter(pal, c.sensitive_paths, c.requires_replace, out)
      .Attributes(c.action == Action::kCreate ? kNone : c.before,
                  c.action == Action::kDelete ? kNone : c.after, 6);
  *out += "    }\n\n";
}

void RenderDrift(const Palette& pal, const Drift& d, const std::string& type, std::string* out) {
  bool deleted = d.after.is_null();
  Heading(pal, d.address, deleted ? "has been deleted" : "has changed", out);
  ResourceLine(pal, deleted ? "-" : "~", type, d.address, out);
  AttributeWriter(pal, d.sensitive_paths, {}, out).Attributes(d.before, d.after, 6);
  *out += "    }\n\n";
}

// A plan with fewer changes than this renders on the calling thread.
constexpr size_t kParallelRenderChanges = 256;

// The changes' blocks in plan order, each rendered on its own: thousands of them (a first
// apply) render on every core.
void RenderChanges(const Palette& pal, const Plan& plan, std::string* out) {
  std::vector<const ResourceChange*> shown;
  for (const ResourceChange& c : plan.changes)
    if (c.action != Action::kNoOp) shown.push_back(&c);
  if (shown.size() < kParallelRenderChanges) {
    for (const ResourceChange* c : shown) RenderChange(pal, *c, out);
    return;
  }
  std::vector<std::string> blocks(shown.size());
  const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ParallelFor(shown.size(), threads, [&](size_t i) {
    // Each thread grows one buffer to the largest block once; a block is then one allocation.
    thread_local std::string scratch;
    scratch.clear();
    RenderChange(pal, *shown[i], &scratch);
    blocks[i] = scratch;
  });
  size_t size = out->size();
  for (const std::string& b : blocks) size += b.size();
  out->reserve(size + 128);  // and the summary line
  for (const std::string& b : blocks) *out += b;
}

}  // namespace

std::string PlanSummary(const Plan& plan) {
  size_t add = 0, change = 0, destroy = 0;
  for (const ResourceChange& c : plan.changes) {
    switch (c.action) {
      case Action::kCreate: ++add; break;
      case Action::kUpdate: ++change; break;
      case Action::kDelete: ++destroy; break;
      case Action::kDeleteThenCreate:
      case Action::kCreateThenDelete:
        ++add;
        ++destroy;
        break;
      case Action::kNoOp: break;
    }
  }
  if (add + change + destroy == 0) return "No changes. Your infrastructure matches the blueprint.";
  return "Plan: " + std::to_string(add) + " to add, " + std::to_string(change) + " to change, " +
         std::to_string(destroy) + " to destroy.";
}

std::string RenderPlan(const Plan& plan, bool color) {
  Style st(color);
  Palette pal(st);
  std::string out;
  if (!plan.drift.empty()) {
    out += st.Bold("Objects have changed outside of cairn:");
    out += "\n\n";
    for (const Drift& d : plan.drift) {
      // An address is "<provider>.<type>.<name>", so the type is all but the last part.
      RenderDrift(pal, d, d.address.substr(0, d.address.rfind('.')), &out);
    }
  }
  if (plan.HasChanges()) {
    out += st.Bold("cairn will perform the following actions:");
    out += "\n\n";
    RenderChanges(pal, plan, &out);
  }
  std::string summary = PlanSummary(plan);
  out += plan.HasChanges() ? st.Bold(summary) : st.Green(summary);
  out += '\n';
  return out;
}

std::string RenderState(const state::State& state, bool color) {
  Style st(color);
  Palette pal(st);
  if (state.resources.empty()) return "The state has no resources.\n";
  std::string out;
  for (const auto& [address, r] : state.resources) {
    if (!out.empty()) out += '\n';
    out += st.Bold("# " + address + ":");
    out += "\nresource \"";
    out += r.type;
    out += "\" \"";
    out += NameOf(address, r.type);
    out += "\" {\n";
    AttributeWriter(pal, r.sensitive_paths, {}, &out).Plain(r.attributes, 2);
    out += "}\n";
  }
  return out;
}

}  // namespace cairn::plan
