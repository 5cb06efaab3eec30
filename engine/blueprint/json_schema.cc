#include "engine/blueprint/json_schema.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string_view>
#include <unordered_map>

#include "engine/blueprint/formats.h"
#include "engine/blueprint/schema_keywords.h"
#include "engine/blueprint/suggest.h"

namespace cairn::blueprint {
namespace {

using namespace schema_keywords;  // NOLINT: the keyword names, in this file only

// $ref chains that make no progress through the instance would otherwise recurse forever.
constexpr int kMaxRefDepth = 64;
// Lists of allowed names longer than this are not spelled out in hints.
constexpr size_t kMaxListedNames = 12;

/// One problem found while checking; turned into a Diagnostic once the branch is chosen.
struct Failure {
  enum class Kind { kOther, kType, kValue };
  SourceLoc loc;
  std::string path;
  std::string summary;
  std::string hint;
  int depth = 0;  // nesting of the instance node below the validated root
  Kind kind = Kind::kOther;
  std::string expected;  // for kType: what the schema wanted, e.g. "string or map"
};
using Failures = std::vector<Failure>;

const char* SchemaTypeName(std::string_view t) {
  if (t == "object") return "map";
  if (t == "array") return "list";
  if (t == "boolean") return "bool";
  if (t == "string") return "string";
  if (t == "integer") return "integer";
  if (t == "number") return "number";
  if (t == "null") return "null";
  return "value";
}

bool IsIntegral(const Value& v) {
  if (v.is_int()) return true;
  if (!v.is_float()) return false;
  double d = v.AsNumber();
  return std::isfinite(d) && std::floor(d) == d;
}

bool TypeMatches(const Value& v, std::string_view t) {
  if (t == "string") return v.is_string();
  if (t == "integer") return IsIntegral(v);
  if (t == "number") return v.is_number();
  if (t == "boolean") return v.is_bool();
  if (t == "object") return v.is_map();
  if (t == "array") return v.is_list();
  if (t == "null") return v.is_null();
  return true;  // an unknown type name constrains nothing
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string FormatNumber(const Value& v) { return v.ToString(); }

std::string JoinQuoted(const std::vector<std::string>& names, const char* quote) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += quote + names[i] + quote;
  }
  return out;
}

bool IsSimpleKey(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

/// Walks an instance and a schema together, collecting failures.
class Checker {
 public:
  Checker(const JsonSchema& js, const KeyLocations* keys) : js_(js), keys_(keys) {}

  void Check(const Value& inst, const Value& schema, const std::string& path, int depth,
             Failures* out);

 private:
  void Fail(Failures* out, const Value& schema, SourceLoc loc, const std::string& path, int depth,
            std::string summary, std::string hint = "", Failure::Kind kind = Failure::Kind::kOther,
            std::string expected = "");
  bool CheckType(const Value& inst, const Value& schema, const std::string& path, int depth,
                 Failures* out);
  void CheckString(const Value& inst, const Value& schema, const std::string& path, int depth,
                   Failures* out);
  void CheckNumber(const Value& inst, const Value& schema, const std::string& path, int depth,
                   Failures* out);
  void CheckMap(const Value& inst, const Value& schema, const std::string& path, int depth,
                Failures* out);
  void CheckList(const Value& inst, const Value& schema, const std::string& path, int depth,
                 Failures* out);
  void CheckBranches(const Value& inst, const Value& schema, const Value& branches, bool one_of,
                     const std::string& path, int depth, Failures* out);
  const Value* Resolve(const std::string& ref) const;
  bool Matches(const Value& inst, const Value& schema, const std::string& path, int depth) {
    Failures scratch;
    Check(inst, schema, path, depth, &scratch);
    return scratch.empty();
  }

  // The keywords of schema object `schema` (a map), found on its first use: the same few
  // schema objects are applied to thousands of values of a blueprint.
  const Value* Kw(const Value& schema, Keyword k) {
    auto [it, fresh] = keywords_.try_emplace(&schema);
    if (fresh) {
      it->second.fill(nullptr);
      if (schema.is_map())
        for (const auto& [key, value] : schema.AsMap())
          if (int i = KeywordIndex(key); i >= 0) it->second[static_cast<size_t>(i)] = &value;
    }
    return it->second[k];
  }

  const JsonSchema& js_;
  const KeyLocations* keys_;
  int ref_depth_ = 0;
  std::unordered_map<const Value*, KeywordTable> keywords_;
};

void Checker::Fail(Failures* out, const Value& schema, SourceLoc loc, const std::string& path,
                   int depth, std::string summary, std::string hint, Failure::Kind kind,
                   std::string expected) {
  Failure f;
  f.loc = loc;
  f.path = path;
  f.summary = std::move(summary);
  f.hint = std::move(hint);
  if (f.hint.empty() && kind != Failure::Kind::kType) {  // a wrong type needs no format advice
    const Value* custom = Kw(schema, kXCairnHint);
    if (custom && custom->is_string()) f.hint = custom->AsString();
  }
  f.depth = depth;
  f.kind = kind;
  f.expected = std::move(expected);
  out->push_back(std::move(f));
}

const Value* Checker::Resolve(const std::string& ref) const {
  if (ref.empty() || ref[0] != '#') return nullptr;
  const Value* node = &js_.schema();
  size_t pos = 1;
  if (pos < ref.size() && ref[pos] != '/') return nullptr;  // "#anchor" is not supported
  while (pos < ref.size()) {
    size_t next = ref.find('/', pos + 1);
    std::string token = ref.substr(pos + 1, next == std::string::npos ? next : next - pos - 1);
    std::string key;
    for (size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size()) {
        key += token[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        key += token[i];
      }
    }
    if (node->is_map()) {
      node = node->Find(key);
    } else if (node->is_list()) {
      size_t index = 0;
      for (char c : key) index = index * 10 + static_cast<size_t>(c - '0');
      node = index < node->size() ? &node->AsList()[index] : nullptr;
    } else {
      node = nullptr;
    }
    if (!node) return nullptr;
    if (next == std::string::npos) break;
    pos = next;
  }
  return node;
}

bool Checker::CheckType(const Value& inst, const Value& schema, const std::string& path, int depth,
                        Failures* out) {
  const Value* type = Kw(schema, kType);
  std::vector<std::string> wanted;
  if (type && type->is_string()) {
    wanted.push_back(type->AsString());
  } else if (type && type->is_list()) {
    for (const Value& t : type->AsList())
      if (t.is_string()) wanted.push_back(t.AsString());
  } else {
    const Value* ios = Kw(schema, kXKubernetesIntOrString);
    if (ios && ios->is_bool() && ios->AsBool()) wanted = {"integer", "string"};
  }
  if (wanted.empty()) return true;
  for (const std::string& t : wanted)
    if (TypeMatches(inst, t)) return true;
  std::string expected;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (i) expected += i + 1 == wanted.size() ? " or " : ", ";
    expected += SchemaTypeName(wanted[i]);
  }
  Fail(out, schema, inst.loc, path, depth,
       "expected " + expected + ", got " + std::string(inst.kind_name()), "", Failure::Kind::kType,
       expected);
  return false;
}

void Checker::Check(const Value& inst, const Value& schema, const std::string& path, int depth,
                    Failures* out) {
  if (schema.is_bool()) {
    if (!schema.AsBool()) Fail(out, schema, inst.loc, path, depth, "no value is allowed here");
    return;
  }
  if (!schema.is_map()) return;
  if (inst.is_unknown()) return;  // cannot be checked until apply

  if (const Value* ref = Kw(schema, kRef); ref && ref->is_string()) {
    const Value* target = Resolve(ref->AsString());
    if (!target) {
      Fail(out, schema, inst.loc, path, depth,
           "schema error: cannot resolve $ref '" + ref->AsString() + "'");
    } else if (ref_depth_ >= kMaxRefDepth) {
      Fail(out, schema, inst.loc, path, depth, "schema error: $ref nesting too deep");
    } else {
      ++ref_depth_;
      Check(inst, *target, path, depth, out);
      --ref_depth_;
    }
  }

  if (inst.is_null()) {
    const Value* nullable = Kw(schema, kNullable);
    if (nullable && nullable->is_bool() && nullable->AsBool()) return;
  }
  if (!CheckType(inst, schema, path, depth, out)) return;  // further checks would be noise

  if (const Value* e = Kw(schema, kEnum); e && e->is_list()) {
    bool found = false;
    for (const Value& candidate : e->AsList()) found = found || candidate == inst;
    if (!found) {
      std::vector<std::string> names, words;
      for (const Value& candidate : e->AsList()) {
        names.push_back(candidate.ToString());
        if (candidate.is_string()) words.push_back(candidate.AsString());
      }
      std::string list =
          names.size() <= kMaxListedNames
              ? JoinQuoted(names, "")
              : JoinQuoted({names.begin(), names.begin() + kMaxListedNames}, "") + ", ...";
      std::string hint;
      if (inst.is_string() && !inst.sensitive) hint = SuggestHint(inst.AsString(), words);
      Fail(out, schema, inst.loc, path, depth,
           "expected one of " + list + ", got " + inst.ToString(), hint, Failure::Kind::kValue);
    }
  }
  if (const Value* c = Kw(schema, kConst); c && !(*c == inst)) {
    Fail(out, schema, inst.loc, path, depth,
         "expected " + c->ToString() + ", got " + inst.ToString(), "", Failure::Kind::kValue);
  }

  if (inst.is_string()) CheckString(inst, schema, path, depth, out);
  if (inst.is_number()) CheckNumber(inst, schema, path, depth, out);
  if (inst.is_map()) CheckMap(inst, schema, path, depth, out);
  if (inst.is_list()) CheckList(inst, schema, path, depth, out);

  if (const Value* all = Kw(schema, kAllOf); all && all->is_list()) {
    for (const Value& sub : all->AsList()) Check(inst, sub, path, depth, out);
  }
  if (const Value* any = Kw(schema, kAnyOf); any && any->is_list())
    CheckBranches(inst, schema, *any, false, path, depth, out);
  if (const Value* one = Kw(schema, kOneOf); one && one->is_list())
    CheckBranches(inst, schema, *one, true, path, depth, out);
  if (const Value* n = Kw(schema, kNot)) {
    if (Matches(inst, *n, path, depth)) {
      const Value* title = n->Find("title");
      std::string what = title && title->is_string() ? title->AsString() : "a form";
      Fail(out, schema, inst.loc, path, depth, "must not be " + what + " (excluded by 'not')");
    }
  }
  if (const Value* cond = Kw(schema, kIf)) {
    const Value* branch = Matches(inst, *cond, path, depth) ? Kw(schema, kThen) : Kw(schema, kElse);
    if (branch) Check(inst, *branch, path, depth, out);
  }
}

void Checker::CheckString(const Value& inst, const Value& schema, const std::string& path,
                          int depth, Failures* out) {
  const std::string& s = inst.AsString();
  const Value* min = Kw(schema, kMinLength);
  const Value* max = Kw(schema, kMaxLength);
  if ((min && min->is_number()) || (max && max->is_number())) {
    size_t n = CodePoints(s);
    if (min && min->is_number() && n < static_cast<size_t>(min->AsInt())) {
      Fail(out, schema, inst.loc, path, depth,
           n == 0 ? std::string("must not be empty")
                  : "must be at least " + std::to_string(min->AsInt()) + " characters long");
    }
    if (max && max->is_number() && n > static_cast<size_t>(max->AsInt())) {
      Fail(out, schema, inst.loc, path, depth,
           "must be at most " + std::to_string(max->AsInt()) + " characters long, got " +
               std::to_string(n));
    }
  }
  if (const Value* p = Kw(schema, kPattern); p && p->is_string()) {
    const SchemaPattern* re = js_.FindRegex(p->AsString());
    // The value itself is not repeated: it may be a secret typed in the wrong place.
    if (re && !re->Search(s)) {
      const Value* expected = Kw(schema, kXCairnExpected);
      Fail(out, schema, inst.loc, path, depth,
           expected && expected->is_string() ? "expected " + expected->AsString()
                                             : "does not match the pattern " + p->AsString());
    }
  }
  if (const Value* f = Kw(schema, kFormat); f && f->is_string()) {
    std::string what;
    if (!CheckFormat(f->AsString(), s, &what)) {
      std::string shown = inst.sensitive ? std::string("value") : inst.ToString();
      Fail(out, schema, inst.loc, path, depth, shown + " is not " + what);
    }
  }
}

void Checker::CheckNumber(const Value& inst, const Value& schema, const std::string& path,
                          int depth, Failures* out) {
  double x = inst.AsNumber();
  std::string got = inst.sensitive ? "" : ", got " + inst.ToString();
  const Value* min = Kw(schema, kMinimum);
  const Value* max = Kw(schema, kMaximum);
  const Value* xmin = Kw(schema, kExclusiveMinimum);
  const Value* xmax = Kw(schema, kExclusiveMaximum);
  // OpenAPI 3.0 spells exclusivity as a boolean next to minimum/maximum.
  bool min_exclusive = xmin && xmin->is_bool() && xmin->AsBool();
  bool max_exclusive = xmax && xmax->is_bool() && xmax->AsBool();
  if (min && min->is_number()) {
    if (min_exclusive ? x <= min->AsNumber() : x < min->AsNumber())
      Fail(out, schema, inst.loc, path, depth,
           std::string(min_exclusive ? "must be greater than " : "must be at least ") +
               FormatNumber(*min) + got);
  }
  if (max && max->is_number()) {
    if (max_exclusive ? x >= max->AsNumber() : x > max->AsNumber())
      Fail(out, schema, inst.loc, path, depth,
           std::string(max_exclusive ? "must be less than " : "must be at most ") +
               FormatNumber(*max) + got);
  }
  if (xmin && xmin->is_number() && x <= xmin->AsNumber())
    Fail(out, schema, inst.loc, path, depth, "must be greater than " + FormatNumber(*xmin) + got);
  if (xmax && xmax->is_number() && x >= xmax->AsNumber())
    Fail(out, schema, inst.loc, path, depth, "must be less than " + FormatNumber(*xmax) + got);
  if (const Value* m = Kw(schema, kMultipleOf); m && m->is_number() && m->AsNumber() > 0) {
    double q = x / m->AsNumber();
    if (std::fabs(q - std::round(q)) > 1e-9)
      Fail(out, schema, inst.loc, path, depth, "must be a multiple of " + FormatNumber(*m) + got);
  }
}

void Checker::CheckMap(const Value& inst, const Value& schema, const std::string& path, int depth,
                       Failures* out) {
  const Value::Map& map = inst.AsMap();
  const Value* props = Kw(schema, kProperties);
  const Value* patterns = Kw(schema, kPatternProperties);
  const Value* additional = Kw(schema, kAdditionalProperties);
  const Value* names = Kw(schema, kPropertyNames);
  if (props && !props->is_map()) props = nullptr;
  if (patterns && !patterns->is_map()) patterns = nullptr;

  // Required names that an unknown key is probably a typo of: the unknown-key error says it.
  std::vector<std::string> explained;
  for (const auto& [key, child] : map) {
    std::string child_path;
    auto child_path_fn = [&]() -> const std::string& {
      if (child_path.empty()) child_path = PathForKey(path, key);
      return child_path;
    };
    bool matched = false;
    if (props) {
      if (const Value* sub = props->Find(key)) {
        matched = true;
        Check(child, *sub, child_path_fn(), depth + 1, out);
      }
    }
    if (patterns) {
      for (const auto& [pattern, sub] : patterns->AsMap()) {
        const SchemaPattern* re = js_.FindRegex(pattern);
        if (re && re->Search(key)) {
          matched = true;
          Check(child, sub, child_path_fn(), depth + 1, out);
        }
      }
    }
    if (names) {
      Value key_value(key);
      key_value.loc = keys_ ? keys_->KeyOrValue(child) : child.loc;
      Failures key_failures;
      Check(key_value, *names, path, depth + 1, &key_failures);
      for (Failure& f : key_failures) {
        f.summary = "key '" + key + "': " + f.summary;
        out->push_back(std::move(f));
      }
    }
    if (matched || !additional) continue;
    if (additional->is_bool() && !additional->AsBool()) {
      std::vector<std::string> allowed;
      if (props)
        for (const auto& [name, sub] : props->AsMap()) allowed.push_back(name);
      std::string meant = Suggest(key, allowed);
      if (!meant.empty()) explained.push_back(meant);
      std::string hint = meant.empty() ? "" : "did you mean '" + meant + "'?";
      if (hint.empty() && !allowed.empty() && allowed.size() <= kMaxListedNames)
        hint = "allowed here: " + JoinQuoted(allowed, "");
      SourceLoc loc = keys_ ? keys_->KeyOrValue(child) : child.loc;
      Fail(out, schema, loc, path, depth + 1, "unknown property '" + key + "'", hint);
    } else {
      Check(child, *additional, child_path_fn(), depth + 1, out);
    }
  }

  if (const Value* req = Kw(schema, kRequired); req && req->is_list()) {
    for (const Value& name : req->AsList()) {
      if (!name.is_string() || map.count(name.AsString())) continue;
      if (std::find(explained.begin(), explained.end(), name.AsString()) != explained.end())
        continue;
      std::string hint;
      bool closed = additional && additional->is_bool() && !additional->AsBool();
      if (!closed) {  // a closed map already reports the misspelt key as unknown
        std::vector<std::string> present;
        for (const auto& [key, child] : map) present.push_back(key);
        std::string close = Suggest(name.AsString(), present);
        if (!close.empty()) hint = "'" + close + "' is set; is it a misspelling?";
      }
      Fail(out, schema, inst.loc, path, depth,
           "missing required property '" + name.AsString() + "'", hint);
    }
  }
  if (const Value* dep = Kw(schema, kDependentRequired); dep && dep->is_map()) {
    for (const auto& [key, needs] : dep->AsMap()) {
      if (!map.count(key) || !needs.is_list()) continue;
      for (const Value& need : needs.AsList()) {
        if (need.is_string() && !map.count(need.AsString()))
          Fail(out, schema, inst.loc, path, depth,
               "property '" + need.AsString() + "' is required when '" + key + "' is set");
      }
    }
  }
  if (const Value* min = Kw(schema, kMinProperties);
      min && min->is_number() && map.size() < static_cast<size_t>(min->AsInt())) {
    Fail(out, schema, inst.loc, path, depth,
         min->AsInt() == 1 ? std::string("must not be empty")
                           : "must have at least " + std::to_string(min->AsInt()) + " entries");
  }
  if (const Value* max = Kw(schema, kMaxProperties);
      max && max->is_number() && map.size() > static_cast<size_t>(max->AsInt())) {
    Fail(out, schema, inst.loc, path, depth,
         "must have at most " + std::to_string(max->AsInt()) + " entries");
  }
}

void Checker::CheckList(const Value& inst, const Value& schema, const std::string& path, int depth,
                        Failures* out) {
  const Value::List& list = inst.AsList();
  const Value* prefix = Kw(schema, kPrefixItems);
  const Value* items = Kw(schema, kItems);
  const Value* rest = items;
  if (items && items->is_list()) {  // draft 7: items as a list means prefixItems
    prefix = items;
    rest = Kw(schema, kAdditionalItems);
  }
  size_t prefix_n = prefix && prefix->is_list() ? prefix->size() : 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const Value* sub = i < prefix_n ? &prefix->AsList()[i] : rest;
    if (!sub) continue;
    if (sub->is_bool() && !sub->AsBool()) {
      Fail(out, schema, list[i].loc, PathIndex(path, i), depth + 1,
           "too many items: at most " + std::to_string(prefix_n) + " allowed");
      continue;
    }
    Check(list[i], *sub, PathIndex(path, i), depth + 1, out);
  }
  if (const Value* min = Kw(schema, kMinItems);
      min && min->is_number() && list.size() < static_cast<size_t>(min->AsInt())) {
    Fail(out, schema, inst.loc, path, depth,
         min->AsInt() == 1 ? std::string("must not be empty")
                           : "must have at least " + std::to_string(min->AsInt()) + " items");
  }
  if (const Value* max = Kw(schema, kMaxItems);
      max && max->is_number() && list.size() > static_cast<size_t>(max->AsInt())) {
    Fail(out, schema, inst.loc, path, depth,
         "must have at most " + std::to_string(max->AsInt()) + " items, got " +
             std::to_string(list.size()));
  }
  if (const Value* u = Kw(schema, kUniqueItems); u && u->is_bool() && u->AsBool()) {
    for (size_t i = 1; i < list.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (list[i] == list[j]) {
          Fail(out, schema, list[i].loc, PathIndex(path, i), depth + 1,
               "duplicate item, same as " + PathIndex(path, j));
          break;
        }
      }
    }
  }
  if (const Value* contains = Kw(schema, kContains)) {
    bool any = false;
    for (size_t i = 0; i < list.size() && !any; ++i)
      any = Matches(list[i], *contains, PathIndex(path, i), depth + 1);
    if (!any) {
      const Value* title = contains->Find("title");
      std::string what = title && title->is_string() ? title->AsString() : "the required form";
      Fail(out, schema, inst.loc, path, depth, "must contain at least one item of " + what);
    }
  }
}

// Ranks a failed branch for "which form did the user mean?": a branch that fails on the type of
// the node itself is least likely, then one whose discriminating property (a const or enum one
// level down) differs, then the one with fewest problems.
std::pair<int, size_t> BranchRank(const Failures& fs, int depth) {
  int cls = 0;
  for (const Failure& f : fs) {
    if (f.kind == Failure::Kind::kType && f.depth == depth) cls = std::max(cls, 2);
    if (f.kind == Failure::Kind::kValue && f.depth == depth + 1) cls = std::max(cls, 1);
  }
  return {cls, fs.size()};
}

void Checker::CheckBranches(const Value& inst, const Value& schema, const Value& branches,
                            bool one_of, const std::string& path, int depth, Failures* out) {
  std::vector<Failures> results;
  std::vector<size_t> passing;
  for (const Value& sub : branches.AsList()) {
    results.emplace_back();
    Check(inst, sub, path, depth, &results.back());
    if (results.back().empty()) passing.push_back(results.size() - 1);
    if (!one_of && !passing.empty()) return;
  }
  if (one_of && passing.size() > 1) {
    Fail(out, schema, inst.loc, path, depth,
         "matches more than one of the allowed forms (" + std::to_string(passing[0] + 1) + " and " +
             std::to_string(passing[1] + 1) + ")");
    return;
  }
  if (!passing.empty() || results.empty()) return;
  size_t best = 0;
  for (size_t i = 1; i < results.size(); ++i)
    if (BranchRank(results[i], depth) < BranchRank(results[best], depth)) best = i;
  if (BranchRank(results[best], depth).first == 2) {
    // Every form wants a different type: say which types would do, once.
    std::vector<std::string> expected;
    for (const Failures& fs : results) {
      for (const Failure& f : fs) {
        if (f.kind == Failure::Kind::kType && f.depth == depth &&
            std::find(expected.begin(), expected.end(), f.expected) == expected.end())
          expected.push_back(f.expected);
      }
    }
    std::string joined;
    for (size_t i = 0; i < expected.size(); ++i) {
      if (i) joined += i + 1 == expected.size() ? " or " : ", ";
      joined += expected[i];
    }
    Fail(out, schema, inst.loc, path, depth,
         "expected " + joined + ", got " + std::string(inst.kind_name()), "", Failure::Kind::kType,
         joined);
    return;
  }
  const Value* hint = Kw(schema, kXCairnHint);
  for (Failure& f : results[best]) {
    // The branches say what failed; the schema holding them knows how to say what to write.
    if (f.hint.empty() && f.depth == depth && hint && hint->is_string()) f.hint = hint->AsString();
    out->push_back(std::move(f));
  }
}

bool LocBefore(const Failure& a, const Failure& b) {
  auto key = [](const SourceLoc& l) {
    return std::make_tuple(l.valid() ? 0 : 1, l.file, l.line, l.col);
  };
  return key(a.loc) < key(b.loc);
}

}  // namespace

std::string PathForKey(const std::string& parent, std::string_view key) {
  if (IsSimpleKey(key)) return PathKey(parent, key);
  std::string out = parent;
  out += "[\"";
  out += key;
  out += "\"]";
  return out;
}

JsonSchema::JsonSchema(Value schema, Patterns patterns)
    : schema_(std::move(schema)), mode_(patterns) {
  CollectPatterns(schema_);
}

JsonSchema::~JsonSchema() = default;

bool JsonSchema::Compile(const std::string& text, Pattern* p, std::string* error) {
  if (p->tried) return p->compiled != nullptr;
  p->tried = true;
  p->compiled = SchemaPattern::Compile(text, error);
  return p->compiled != nullptr;
}

void JsonSchema::AddPattern(const std::string& pattern, const Value& where) {
  auto [it, added] = regexes_.try_emplace(pattern);
  if (!added || mode_ == Patterns::kOnFirstUse) return;
  std::string error;
  if (!Compile(pattern, &it->second, &error))
    schema_problems_.Error(where.loc, "", "invalid pattern '" + pattern + "' in schema: " + error);
}

void JsonSchema::CollectPatterns(const Value& node) {
  if (node.is_list()) {
    for (const Value& item : node.AsList()) CollectPatterns(item);
    return;
  }
  if (!node.is_map()) return;
  for (const auto& [key, child] : node.AsMap()) {
    if (key == "pattern" && child.is_string()) AddPattern(child.AsString(), child);
    if (key == "patternProperties" && child.is_map())
      for (const auto& [pattern, sub] : child.AsMap()) AddPattern(pattern, sub);
    CollectPatterns(child);
  }
}

const SchemaPattern* JsonSchema::FindRegex(const std::string& pattern) const {
  auto it = regexes_.find(pattern);
  if (it == regexes_.end()) return nullptr;
  if (mode_ == Patterns::kUpFront) return it->second.compiled.get();
  std::lock_guard<std::mutex> lock(mu_);
  std::string error;
  Compile(pattern, &it->second, &error);
  return it->second.compiled.get();
}

void JsonSchema::Validate(const Value& instance, const std::string& root_path, Diagnostics* diags,
                          const KeyLocations* key_locs) const {
  Failures failures;
  Checker checker(*this, key_locs);
  checker.Check(instance, schema_, root_path, 0, &failures);
  std::stable_sort(failures.begin(), failures.end(), LocBefore);
  for (size_t i = 0; i < failures.size(); ++i) {
    const Failure& f = failures[i];
    if (i > 0 && failures[i - 1].loc == f.loc && failures[i - 1].summary == f.summary &&
        failures[i - 1].path == f.path)
      continue;  // the same problem reached through two schema paths (allOf, $ref)
    diags->Error(f.loc, f.path, f.summary, f.hint);
  }
}

void ValidateJsonSchema(const Value& instance, const Value& schema, const std::string& root_path,
                        Diagnostics* diags) {
  JsonSchema compiled(schema);
  diags->Append(compiled.schema_problems());
  compiled.Validate(instance, root_path, diags);
}

}  // namespace cairn::blueprint
