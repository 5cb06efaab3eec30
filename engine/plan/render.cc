#include "engine/plan/render.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <thread>

#include "engine/base/term.h"
#include "engine/plan/line_diff.h"
#include "engine/plan/parallel.h"

namespace cairn::plan {
namespace {

// One attribute line in a block, with any lines that continue it (nested values, heredocs).
struct Entry {
  char glyph = ' ';  // '+', '-', '~' or ' ' (unchanged)
  std::string key;   // empty for list items
  std::string first;
  std::vector<std::string> more;
};

std::string Spaces(int n) { return std::string(static_cast<size_t>(std::max(n, 0)), ' '); }

bool IsMultiline(const Value& v) {
  return v.is_string() && v.AsString().find('\n') != std::string::npos;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string QuoteKey(const std::string& k) {
  bool bare = !k.empty();
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) bare = false;
  return bare ? k : Value(k).ToString();
}

// Renders attribute diffs; knows which paths are sensitive and which force replacement.
class Renderer {
 public:
  Renderer(const Style& st, const std::vector<std::string>& sensitive,
           const std::vector<std::string>& replace)
      : st_(st),
        sensitive_(sensitive.begin(), sensitive.end()),
        replace_(replace.begin(), replace.end()) {}

  /// Lines for the attributes of a resource: a whole object (glyph '+', '-', ' ') when one side
  /// is null, otherwise the diff with unchanged attributes counted and hidden.
  void Attributes(const Value& before, const Value& after, int indent,
                  std::vector<std::string>* out) const {
    std::vector<Entry> entries;
    size_t hidden = 0;
    if (before.is_null() && after.is_map()) {
      for (const auto& [k, v] : after.AsMap())
        if (!v.is_null()) entries.push_back(Whole(k, k, v, '+', indent, false));
    } else if (after.is_null() && before.is_map()) {
      for (const auto& [k, v] : before.AsMap())
        if (!v.is_null()) entries.push_back(Whole(k, k, v, '-', indent, true));
    } else {
      MapDiff(before, after, "", indent, /*show_id=*/true, &entries, &hidden);
    }
    Emit(entries, indent, out);
    if (hidden > 0)
      out->push_back(Spaces(indent + 2) +
                     st_.Dim("# (" + std::to_string(hidden) + " unchanged " +
                             (hidden == 1 ? "attribute" : "attributes") + " hidden)"));
  }

  /// Lines for a state view: every attribute, no glyphs.
  void Plain(const Value& attrs, int indent, std::vector<std::string>* out) const {
    std::vector<Entry> entries;
    if (attrs.is_map())
      for (const auto& [k, v] : attrs.AsMap())
        if (!v.is_null()) entries.push_back(Whole(k, k, v, ' ', indent, false));
    Emit(entries, indent, out);
  }

 private:
  bool Sensitive(const std::string& path, const Value* v) const {
    return (v != nullptr && v->sensitive) || (!sensitive_.empty() && sensitive_.count(path) != 0);
  }

  // Paths serve only to look up sensitive ones: without any, none are built (a plan of
  // thousands of creates would otherwise make a string for every value it shows).
  std::string ChildKey(const std::string& path, const std::string& key) const {
    return sensitive_.empty() ? std::string() : PathKey(path, key);
  }
  std::string ChildIndex(const std::string& path, size_t index) const {
    return sensitive_.empty() ? std::string() : PathIndex(path, index);
  }

  std::string Glyph(char g) const {
    switch (g) {
      case '+': return st_.Green("+");
      case '-': return st_.Red("-");
      case '~': return st_.Yellow("~");
      default: return " ";
    }
  }

  std::string Inline(const Value& v, const std::string& path) const {
    if (Sensitive(path, &v) || ((v.is_map() || v.is_list()) && v.ContainsSensitive()))
      return "(sensitive)";
    if (v.is_unknown()) return "(known after apply)";
    return v.ToString();
  }

  // Moves the entries' lines into `out` (nested values are emitted once per level).
  void Emit(std::vector<Entry>& entries, int indent, std::vector<std::string>* out) const {
    size_t width = 0;
    for (const Entry& e : entries) width = std::max(width, e.key.size());
    for (Entry& e : entries) {
      std::string line = Spaces(indent) + Glyph(e.glyph) + " ";
      if (e.key.empty()) {
        line += e.first + (e.more.empty() ? "," : "");
      } else {
        line += e.key + Spaces(static_cast<int>(width - e.key.size())) + " = " + e.first;
      }
      out->push_back(std::move(line));
      for (std::string& m : e.more) out->push_back(std::move(m));
    }
  }

  // A value shown in full with one glyph: created, destroyed or unchanged.
  Entry Whole(const std::string& key, const std::string& path, const Value& v, char glyph,
              int indent, bool to_null) const {
    Entry e;
    e.glyph = glyph;
    e.key = key.empty() ? "" : QuoteKey(key);
    const std::string null_suffix = to_null ? " -> null" : "";
    if (Sensitive(path, &v) || v.is_unknown()) {
      e.first = Inline(v, path) + null_suffix;
      return e;
    }
    if (v.is_map() && v.size() > 0) {
      e.first = "{";
      std::vector<Entry> inner;
      for (const auto& [k, item] : v.AsMap())
        inner.push_back(Whole(k, ChildKey(path, k), item, glyph, indent + 4, false));
      Emit(inner, indent + 4, &e.more);
      e.more.push_back(Spaces(indent + 2) + "}" + null_suffix);
      return e;
    }
    if (v.is_list() && v.size() > 0) {
      e.first = "[";
      std::vector<Entry> inner;
      const Value::List& items = v.AsList();
      for (size_t i = 0; i < items.size(); ++i)
        inner.push_back(Whole("", ChildIndex(path, i), items[i], glyph, indent + 4, false));
      Emit(inner, indent + 4, &e.more);
      e.more.push_back(Spaces(indent + 2) + "]" + null_suffix);
      return e;
    }
    if (IsMultiline(v)) {
      e.first = "<<-EOT";
      for (const std::string& line : SplitLines(v.AsString()))
        e.more.push_back(Spaces(indent + 4) + line);
      e.more.push_back(Spaces(indent + 2) + "EOT" + null_suffix);
      return e;
    }
    e.first = Inline(v, path) + null_suffix;
    return e;
  }

  // The diff of two maps, one entry per attribute that differs; equal ones are counted in
  // `hidden` (except "id" at the top level, which identifies the object).
  void MapDiff(const Value& before, const Value& after, const std::string& path, int indent,
               bool show_id, std::vector<Entry>* entries, size_t* hidden) const {
    std::set<std::string> keys;
    if (before.is_map())
      for (const auto& [k, v] : before.AsMap()) keys.insert(k);
    if (after.is_map())
      for (const auto& [k, v] : after.AsMap()) keys.insert(k);
    for (const std::string& k : keys) {
      const Value* b = before.Find(k);
      const Value* a = after.Find(k);
      if (b != nullptr && b->is_null()) b = nullptr;
      if (a != nullptr && a->is_null()) a = nullptr;
      if (b == nullptr && a == nullptr) continue;
      std::string p = ChildKey(path, k);
      if (b != nullptr && a != nullptr && !a->ContainsUnknown() && *a == *b) {
        if (show_id && k == "id") {
          entries->push_back(Whole(k, p, *a, ' ', indent, false));
        } else {
          ++*hidden;
        }
        continue;
      }
      Entry e = Diff(k, p, b, a, indent);
      if (path.empty() && replace_.count(k) != 0) {
        e.first += " " + st_.Red("# forces replacement");
      }
      entries->push_back(std::move(e));
    }
  }

  Entry Diff(const std::string& key, const std::string& path, const Value* b, const Value* a,
             int indent) const {
    if (b == nullptr) return Whole(key, path, *a, '+', indent, false);
    if (a == nullptr) return Whole(key, path, *b, '-', indent, true);
    Entry e;
    e.glyph = '~';
    e.key = key.empty() ? "" : QuoteKey(key);
    if (Sensitive(path, b) || Sensitive(path, a)) {
      e.first = "(sensitive)";
      return e;
    }
    if (a->is_unknown()) {
      e.first = Inline(*b, path) + " -> (known after apply)";
      return e;
    }
    if (b->is_map() && a->is_map()) {
      e.first = "{";
      std::vector<Entry> inner;
      size_t hidden = 0;
      MapDiff(*b, *a, path, indent + 4, false, &inner, &hidden);
      Emit(inner, indent + 4, &e.more);
      if (hidden > 0)
        e.more.push_back(Spaces(indent + 6) +
                         st_.Dim("# (" + std::to_string(hidden) + " unchanged " +
                                 (hidden == 1 ? "element" : "elements") + " hidden)"));
      e.more.push_back(Spaces(indent + 2) + "}");
      return e;
    }
    if (b->is_list() && a->is_list()) {
      e.first = "[";
      std::vector<Entry> inner;
      const Value::List& bl = b->AsList();
      const Value::List& al = a->AsList();
      for (size_t i = 0; i < std::max(bl.size(), al.size()); ++i) {
        std::string p = ChildIndex(path, i);
        const Value* bi = i < bl.size() ? &bl[i] : nullptr;
        const Value* ai = i < al.size() ? &al[i] : nullptr;
        if (bi != nullptr && ai != nullptr && !ai->ContainsUnknown() && *ai == *bi)
          inner.push_back(Whole("", p, *ai, ' ', indent + 4, false));
        else
          inner.push_back(Diff("", p, bi, ai, indent + 4));
      }
      Emit(inner, indent + 4, &e.more);
      e.more.push_back(Spaces(indent + 2) + "]");
      return e;
    }
    if (b->is_string() && a->is_string() && (IsMultiline(*b) || IsMultiline(*a))) {
      e.first = "<<-EOT";
      for (const LineEdit& edit : DiffLines(SplitLines(b->AsString()), SplitLines(a->AsString())))
        e.more.push_back(Spaces(indent + 2) + Glyph(edit.op) + " " + edit.text);
      e.more.push_back(Spaces(indent + 2) + "EOT");
      return e;
    }
    e.first = Inline(*b, path) + " -> " + Inline(*a, path);
    return e;
  }

  const Style& st_;
  std::set<std::string> sensitive_;
  std::set<std::string> replace_;
};

// "local.file.motd" of type "local.file" -> "motd".
std::string NameOf(const std::string& address, const std::string& type) {
  if (address.size() > type.size() + 1 && address.compare(0, type.size(), type) == 0)
    return address.substr(type.size() + 1);
  return address;
}

std::string ResourceLine(const Style& st, const char* glyph, const std::string& type,
                         const std::string& address) {
  std::string g = glyph;
  std::string coloured = g == "+"    ? st.Green(g)
                         : g == "-"  ? st.Red(g)
                         : g == "~"  ? st.Yellow(g)
                         : g.empty() ? " "
                                     : st.Yellow(g);
  return Spaces(3 - static_cast<int>(std::max<size_t>(g.size(), 1))) + coloured + " resource \"" +
         type + "\" \"" + NameOf(address, type) + "\" {";
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

void RenderChange(const Style& st, const ResourceChange& c, std::vector<std::string>* out) {
  out->push_back("  " + st.Bold("# " + c.address) + " " + Headline(c.action));
  if (!c.reason.empty()) out->push_back("  # (because " + c.reason + ")");
  out->push_back(ResourceLine(st, ActionGlyph(c.action), c.type, c.address));
  Renderer r(st, c.sensitive_paths, c.requires_replace);
  static const Value kNone;
  r.Attributes(c.action == Action::kCreate ? kNone : c.before,
               c.action == Action::kDelete ? kNone : c.after, 6, out);
  out->push_back("    }");
  out->push_back("");
}

void RenderDrift(const Style& st, const Drift& d, const std::string& type,
                 std::vector<std::string>* out) {
  bool deleted = d.after.is_null();
  out->push_back("  " + st.Bold("# " + d.address) +
                 (deleted ? " has been deleted" : " has changed"));
  out->push_back(ResourceLine(st, deleted ? "-" : "~", type, d.address));
  Renderer r(st, d.sensitive_paths, {});
  r.Attributes(d.before, d.after, 6, out);
  out->push_back("    }");
  out->push_back("");
}

// A plan with fewer changes than this renders on the calling thread.
constexpr size_t kParallelRenderChanges = 256;

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
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
  std::vector<std::string> lines;
  if (!plan.drift.empty()) {
    lines.push_back(st.Bold("Objects have changed outside of cairn:"));
    lines.push_back("");
    for (const Drift& d : plan.drift) {
      // An address is "<provider>.<type>.<name>", so the type is all but the last part.
      RenderDrift(st, d, d.address.substr(0, d.address.rfind('.')), &lines);
    }
  }
  std::string out;
  if (plan.HasChanges()) {
    lines.push_back(st.Bold("cairn will perform the following actions:"));
    lines.push_back("");
    out = Join(lines);
    lines.clear();
    // Each change renders on its own; thousands of them (a first apply) render on every core.
    std::vector<const ResourceChange*> shown;
    for (const ResourceChange& c : plan.changes)
      if (c.action != Action::kNoOp) shown.push_back(&c);
    std::vector<std::string> blocks(shown.size());
    const int threads = shown.size() >= kParallelRenderChanges
                            ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))
                            : 1;
    ParallelFor(shown.size(), threads, [&](size_t i) {
      std::vector<std::string> block;
      RenderChange(st, *shown[i], &block);
      blocks[i] = Join(block);
    });
    for (const std::string& b : blocks) out += b;
  }
  std::string summary = PlanSummary(plan);
  lines.push_back(plan.HasChanges() ? st.Bold(summary) : st.Green(summary));
  return out + Join(lines);
}

std::string RenderState(const state::State& state, bool color) {
  Style st(color);
  if (state.resources.empty()) return "The state has no resources.\n";
  std::vector<std::string> lines;
  for (const auto& [address, r] : state.resources) {
    lines.push_back(st.Bold("# " + address + ":"));
    lines.push_back("resource \"" + r.type + "\" \"" + NameOf(address, r.type) + "\" {");
    Renderer rr(st, r.sensitive_paths, {});
    rr.Plain(r.attributes, 2, &lines);
    lines.push_back("}");
    lines.push_back("");
  }
  lines.pop_back();
  return Join(lines);
}

}  // namespace cairn::plan
