#include "engine/expand/expand.h"

#include <cstdlib>
#include <set>

#include "engine/base/edit_distance.h"
#include "engine/graph/refs.h"

namespace cairn::expand {
namespace {

using provider::Attribute;
using provider::DesiredResource;

std::vector<std::string> Keys(const std::map<std::string, Attribute>& schema) {
  std::vector<std::string> out;
  for (const auto& [name, attr] : schema) out.push_back(name);
  return out;
}

const SourceLoc& LocOr(const Value& v, const SourceLoc& fallback) {
  return v.loc.valid() ? v.loc : fallback;
}

// Replaces "${secrets.NAME}" inside strings; a whole-string reference keeps the secret's value,
// an interpolated one yields a sensitive string.
Value SubstituteSecrets(const Value& v, const Value& secrets, const std::string& path,
                        Diagnostics* diags) {
  if (v.is_map()) {
    Value out = v;
    for (auto& [k, item] : out.MutableMap())
      item = SubstituteSecrets(item, secrets, PathKey(path, k), diags);
    return out;
  }
  if (v.is_list()) {
    Value out = v;
    size_t i = 0;
    for (Value& item : out.MutableList())
      item = SubstituteSecrets(item, secrets, PathIndex(path, i++), diags);
    return out;
  }
  if (!v.is_string()) return v;
  const std::string& s = v.AsString();
  static const std::string kOpen = "${secrets.";
  size_t pos = s.find(kOpen);
  if (pos == std::string::npos) return v;
  std::string out;
  bool sensitive = false;
  size_t from = 0;
  while (pos != std::string::npos) {
    if (pos > 0 && s[pos - 1] == '$') {  // "$${" is an escaped literal; the planner unescapes it
      out += s.substr(from, pos + kOpen.size() - from);
      from = pos + kOpen.size();
      pos = s.find(kOpen, from);
      continue;
    }
    size_t end = s.find('}', pos);
    if (end == std::string::npos) break;
    std::string name = s.substr(pos + kOpen.size(), end - pos - kOpen.size());
    const Value* secret = secrets.Find(name);
    if (secret == nullptr) {
      std::vector<std::string> names;
      if (secrets.is_map())
        for (const auto& [k, unused] : secrets.AsMap()) names.push_back(k);
      std::string hint = DidYouMean(name, names);
      if (hint.empty()) hint = "declare it under secrets: as env:NAME or file:PATH";
      diags->Error(v.loc, path, "unknown secret '" + name + "'", hint);
      return v;
    }
    if (pos == 0 && end + 1 == s.size() && from == 0) {
      Value whole = *secret;
      whole.sensitive = true;
      whole.loc = v.loc;
      return whole;
    }
    if (secret->is_unknown()) {  // not read (cairn validate): the whole string is unknown too
      Value unknown = Value::Unknown(secret->UnknownOrigin());
      unknown.sensitive = true;
      unknown.loc = v.loc;
      return unknown;
    }
    out += s.substr(from, pos - from);
    out += secret->is_string() ? secret->AsString() : secret->ToString();
    sensitive = true;
    from = end + 1;
    pos = s.find(kOpen, from);
  }
  out += s.substr(from);
  Value result(out);
  result.loc = v.loc;
  result.sensitive = sensitive || v.sensitive;
  return result;
}

// Gives `v` and everything in it the positions of `src`, element by element where the shapes
// match and `src`'s own position elsewhere (a list made from one blueprint value).
void CopyLocs(Value* v, const Value& src) {
  if (!src.loc.valid()) return;
  v->loc = src.loc;
  if (v->is_list()) {
    size_t i = 0;
    for (Value& item : v->MutableList()) {
      bool paired = src.is_list() && i < src.AsList().size();
      CopyLocs(&item, paired ? src.AsList()[i] : src);
      ++i;
    }
  } else if (v->is_map()) {
    for (auto& [k, item] : v->MutableMap()) {
      const Value* from = src.is_map() ? src.Find(k) : nullptr;
      CopyLocs(&item, from != nullptr ? *from : src);
    }
  }
}

// The attribute `attr` names in `attrs`: a whole attribute ("values") or one element of a list
// attribute ("values[1]", for a list gathered from several blueprint entries).
Value* FindAttribute(Value* attrs, const std::string& attr) {
  size_t open = attr.find('[');
  Value* v = attrs->FindMutable(attr.substr(0, open));
  if (v == nullptr || open == std::string::npos) return v;
  size_t i = std::strtoul(attr.c_str() + open + 1, nullptr, 10);
  return v->is_list() && i < v->AsList().size() ? &v->MutableList()[i] : nullptr;
}

// Points an expanded resource, and each attribute it names, at the blueprint entries it came
// from (`at` and `attribute_at` of a provider's expand). attribute_sources is ordered, so an
// element's own position ("values[1]") overrides the one its list ("values") gave it.
void LocateExpanded(const blueprint::Blueprint& bp, DesiredResource* r) {
  if (!r->source_path.empty())
    if (const Value* src = graph::FindPath(bp.root, r->source_path))
      r->loc = bp.key_locs.KeyOrValue(*src);
  if (!r->attributes.is_map()) return;
  for (const auto& [attr, path] : r->attribute_sources) {
    const Value* src = graph::FindPath(bp.root, path);
    Value* v = FindAttribute(&r->attributes, attr);
    if (src == nullptr || v == nullptr) continue;
    CopyLocs(v, *src);
    if (attr.find('[') != std::string::npos) continue;
    SourceLoc key = bp.key_locs.Get(src);
    r->key_locs[attr] = key.valid() ? key : src->loc;
  }
}

void AddResource(DesiredResource r, std::map<std::string, size_t>* index,
                 std::vector<DesiredResource>* out, Diagnostics* diags) {
  auto [it, inserted] = index->emplace(r.address, out->size());
  if (!inserted) {
    const DesiredResource& first = (*out)[it->second];
    std::string where = SourceFiles::Format(first.loc);
    diags->Error(
        r.loc, "", "resource " + r.address + " is declared twice",
        "the first declaration is " + first.origin + (where.empty() ? "" : " at " + where));
    return;
  }
  out->push_back(std::move(r));
}

// Reads the `resources:` section: address -> attributes, with the meta key depends_on.
void ReadResourcesSection(const Value& section, const blueprint::KeyLocations& key_locs,
                          provider::Registry& providers, std::map<std::string, size_t>* index,
                          std::vector<DesiredResource>* out, Diagnostics* diags) {
  if (!section.is_map()) return;
  for (const auto& [address, body] : section.AsMap()) {
    std::string path = PathKey("resources", address);
    DesiredResource r;
    SourceLoc at_key = key_locs.KeyOrValue(body);
    if (!provider::SplitAddress(address, &r.provider, &r.type, &r.name)) {
      diags->Error(at_key, path, "'" + address + "' is not a resource address",
                   "write <provider>.<type>.<name>, e.g. local.file.motd");
      continue;
    }
    r.address = address;
    r.loc = at_key;
    r.origin = "resources";
    r.attributes = Value::EmptyMap();
    if (body.is_map()) {
      for (const auto& [key, value] : body.AsMap()) {
        if (key == "depends_on") {
          if (value.is_list()) {
            for (const Value& dep : value.AsList())
              if (dep.is_string()) r.depends_on.push_back(dep.AsString());
          }
          continue;
        }
        r.attributes[key] = value;
        SourceLoc key_loc = key_locs.Get(&value);
        if (key_loc.valid()) r.key_locs[key] = key_loc;
      }
    } else if (!body.is_null()) {
      diags->Error(body.loc, path,
                   "expected a map of attributes, got " + std::string(body.kind_name()));
      continue;
    }
    if (providers.Find(r.provider) == nullptr) {
      std::string hint = DidYouMean(r.provider, providers.Names());
      if (hint.empty())
        hint = "no plugin named '" + r.provider + "' was found; add its folder with --plugin-dir";
      diags->Error(at_key, path, "unknown provider '" + r.provider + "'", hint);
      continue;
    }
    AddResource(std::move(r), index, out, diags);
  }
}

}  // namespace

Value CheckAttributes(Value attrs, const std::map<std::string, Attribute>& schema,
                      const std::string& what, const SourceLoc& fallback_loc,
                      const std::map<std::string, SourceLoc>& key_locs, bool allow_id,
                      Diagnostics* diags) {
  if (!attrs.is_map() && !attrs.is_null()) {
    diags->Error(LocOr(attrs, fallback_loc), what,
                 "expected a map of attributes, got " + std::string(attrs.kind_name()));
    return Value::EmptyMap();
  }
  Value out = attrs.is_map() ? std::move(attrs) : Value::EmptyMap();
  for (const auto& [key, value] : out.AsMap()) {
    std::string path = PathKey(what, key);
    auto key_loc = key_locs.find(key);
    const SourceLoc& at_key =
        key_loc != key_locs.end() ? key_loc->second : LocOr(value, fallback_loc);
    auto it = schema.find(key);
    if (it == schema.end()) {
      if (allow_id && key == "id") {
        diags->Error(at_key, path, "'id' is set by the provider",
                     "remove it; use `cairn import` to adopt an existing object");
        continue;
      }
      std::string hint = DidYouMean(key, Keys(schema));
      diags->Error(at_key, path, "unknown attribute '" + key + "'", hint);
      continue;
    }
    const Attribute& attr = it->second;
    // A reference ("${...}") stands for a value of any type until it is resolved.
    bool reference = value.is_string() && value.AsString().find("${") != std::string::npos;
    if (!reference && !provider::ValueFitsType(value, attr.type)) {
      diags->Error(LocOr(value, fallback_loc), path,
                   std::string("expected ") + provider::AttrTypeName(attr.type) + ", got " +
                       value.kind_name());
    }
  }
  for (const auto& [name, attr] : schema) {
    Value* have = out.FindMutable(name);
    bool missing = have == nullptr || have->is_null();
    if (missing && attr.required) {
      diags->Error(fallback_loc, what, "missing required attribute '" + name + "'",
                   attr.description.empty() ? "" : name + ": " + attr.description);
      continue;
    }
    if (missing && !attr.default_value.is_null()) out[name] = attr.default_value;
    if (attr.sensitive) {
      Value* v = out.FindMutable(name);
      if (v != nullptr) v->sensitive = true;
    }
  }
  return out;
}

void ConfigureProviders(const blueprint::Blueprint& bp, provider::Registry& providers,
                        Diagnostics* diags, const Value& secrets,
                        const std::set<std::string>* only) {
  const Value& root = bp.root;
  const Value* section = root.Find("providers");
  if (only == nullptr && section != nullptr && section->is_map()) {
    for (const auto& [name, settings] : section->AsMap()) {
      if (providers.Find(name) == nullptr) {
        std::string hint = DidYouMean(name, providers.Names());
        diags->Error(bp.key_locs.KeyOrValue(settings), PathKey("providers", name),
                     "unknown provider '" + name + "'",
                     hint.empty() ? "no plugin with that name was found" : hint);
      }
    }
  }
  for (const auto& [name, p] : providers.all()) {
    if (only != nullptr && only->count(name) == 0) continue;
    const Value* settings = section ? section->Find(name) : nullptr;
    Value config = settings ? *settings : Value::EmptyMap();
    std::map<std::string, SourceLoc> key_locs;
    if (settings != nullptr && settings->is_map())
      for (const auto& [key, value] : settings->AsMap()) {
        SourceLoc loc = bp.key_locs.Get(&value);
        if (loc.valid()) key_locs[key] = loc;
      }
    Diagnostics local;
    if (!secrets.is_null())
      config = SubstituteSecrets(config, secrets, PathKey("providers", name), &local);
    Value checked = CheckAttributes(config, p->Schema().config, PathKey("providers", name),
                                    settings ? bp.key_locs.KeyOrValue(*settings) : root.loc,
                                    key_locs, false, &local);
    diags->Append(local);
    if (local.has_errors()) continue;
    // Lent before anything is read: a refresh may run while the blueprint is being expanded.
    p->SetBlueprint(std::shared_ptr<const Value>(std::shared_ptr<const Value>(), &root));
    Status s = p->Configure(checked);
    if (!s.ok()) {
      Diagnostic d;
      d.summary = "configuring provider '" + name + "': " + s.message();
      d.hint = s.hint();
      d.loc = settings ? settings->loc : SourceLoc{};
      diags->Add(std::move(d));
    }
  }
}

std::vector<DesiredResource> Expand(const blueprint::Blueprint& bp, const Value& secrets,
                                    provider::Registry& providers, Diagnostics* diags) {
  const Value& root = bp.root;
  std::vector<DesiredResource> out;
  std::map<std::string, size_t> index;
  // Not a copy (the whole blueprint, for each provider): `bp` outlives the run's provider calls.
  const std::shared_ptr<const Value> shared_root(std::shared_ptr<const Value>(), &root);
  for (const auto& [name, p] : providers.all()) {
    p->SetBlueprint(shared_root);
    if (!p->Schema().has_expand) continue;
    Result<std::vector<DesiredResource>> expanded = p->Expand(root);
    if (!expanded.ok()) {
      Diagnostic d;
      d.summary =
          "provider '" + name + "' failed to expand the blueprint: " + expanded.status().message();
      d.hint = expanded.status().hint();
      diags->Add(std::move(d));
      continue;
    }
    for (DesiredResource& r : *expanded) {
      LocateExpanded(bp, &r);
      AddResource(std::move(r), &index, &out, diags);
    }
  }
  if (const Value* section = root.Find("resources"))
    ReadResourcesSection(*section, bp.key_locs, providers, &index, &out, diags);

  // Check every resource against its type's schema, fill defaults, substitute secrets.
  for (DesiredResource& r : out) {
    const provider::ResourceType* type = providers.FindType(r.type);
    if (type == nullptr) {
      std::vector<std::string> types = providers.TypeNames();
      std::string hint = DidYouMean(r.type, types);
      if (hint.empty()) hint = "provider '" + r.provider + "' has no such resource type";
      diags->Error(r.loc, r.origin == "resources" ? PathKey("resources", r.address) : "",
                   "unknown resource type '" + r.type + "' (in " + r.address + ")", hint);
      continue;
    }
    std::string what = r.origin == "resources" ? PathKey("resources", r.address) : r.address;
    if (ContainsText(r.attributes, "${secrets."))  // most do not: skip the copy
      r.attributes = SubstituteSecrets(r.attributes, secrets, what, diags);
    r.attributes = CheckAttributes(std::move(r.attributes), type->attributes, what, r.loc,
                                   r.key_locs, true, diags);
  }

  // Every reference and explicit dependency must name a declared resource.
  std::vector<std::string> addresses;
  for (const auto& [addr, unused] : index) addresses.push_back(addr);
  for (const DesiredResource& r : out) {
    std::string what = r.origin == "resources" ? PathKey("resources", r.address) : r.address;
    std::vector<graph::Reference> refs;
    graph::FindReferences(r.attributes, &refs, diags);
    for (const graph::Reference& ref : refs) {
      if (index.count(ref.address)) continue;
      std::string hint = DidYouMean(ref.address, addresses);
      diags->Error(ref.loc.valid() ? ref.loc : r.loc, what,
                   "reference to undeclared resource '" + ref.address + "' in ${" + ref.text + "}",
                   hint);
    }
    for (const std::string& dep : r.depends_on) {
      if (index.count(dep)) continue;
      std::string hint = DidYouMean(dep, addresses);
      diags->Error(r.loc, PathKey(what, "depends_on"),
                   "depends on undeclared resource '" + dep + "'", hint);
    }
  }
  return out;
}

}  // namespace cairn::expand
