#include "tests/emulators/kube/crd.h"

#include "engine/base/json.h"

namespace cairn::emulators {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

void Required(std::vector<StatusCause>* causes, const std::string& field) {
  causes->push_back({"FieldValueRequired", "Required value", field});
}

// "spec.ingress[0].ports" -> the value there, or nullptr.
const nlohmann::json* Resolve(const nlohmann::json& root, const std::string& path) {
  const nlohmann::json* cur = &root;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') ++i;
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos || !cur->is_array()) return nullptr;
      size_t index = std::stoul(path.substr(i + 1, close - i - 1));
      if (index >= cur->size()) return nullptr;
      cur = &(*cur)[index];
      i = close + 1;
      continue;
    }
    size_t end = path.find_first_of(".[", i);
    std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
    i = end == std::string::npos ? path.size() : end;
  }
  return cur;
}

std::string JsonTypeName(const nlohmann::json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  return "null";
}

std::string OpenApiTypeName(std::string name) {
  if (name == "map") return "object";
  if (name == "list") return "array";
  if (name == "bool") return "boolean";
  return name;
}

StatusCause ToCause(const Diagnostic& d, const nlohmann::json& object) {
  static const std::string kMissing = "missing required property '";
  static const std::string kOneOf = "expected one of ";
  StatusCause c;
  c.field = d.path;
  if (StartsWith(d.summary, kMissing)) {
    std::string name = d.summary.substr(kMissing.size());
    name = name.substr(0, name.rfind('\''));
    c.field = d.path.empty() ? name : d.path + "." + name;
    c.reason = "FieldValueRequired";
    c.message = "Required value";
    return c;
  }
  const nlohmann::json* value = Resolve(object, d.path);
  nlohmann::json shown = value ? *value : nlohmann::json(nullptr);
  if (StartsWith(d.summary, kOneOf)) {
    std::string rest = d.summary.substr(kOneOf.size());
    std::string list = rest.substr(0, rest.rfind(", got "));
    c.reason = "FieldValueNotSupported";
    c.message = "Unsupported value: " + shown.dump() + ": supported values: " + list;
    return c;
  }
  if (StartsWith(d.summary, "expected ") && d.summary.find(", got ") != std::string::npos &&
      d.summary.find('"') == std::string::npos) {
    std::string wanted = d.summary.substr(9, d.summary.find(", got ") - 9);
    c.reason = "FieldValueTypeInvalid";
    std::string got = "\"" + JsonTypeName(shown) + "\"";
    c.message = "Invalid value: " + got + ": " + d.path + " in body must be of type " +
                OpenApiTypeName(wanted) + ": " + got;
    return c;
  }
  c.reason = "FieldValueInvalid";
  c.message = InvalidValueBody(shown, d.path + " in body " + d.summary);
  return c;
}

bool Preserves(const nlohmann::json& schema) {
  auto it = schema.find("x-kubernetes-preserve-unknown-fields");
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

void Prune(nlohmann::json* node, const nlohmann::json& schema, const std::string& path,
           std::vector<std::string>* dropped) {
  if (!schema.is_object()) return;
  if (node->is_array()) {
    auto items = schema.find("items");
    if (items == schema.end()) return;
    for (size_t i = 0; i < node->size(); ++i)
      Prune(&(*node)[i], *items, path + "[" + std::to_string(i) + "]", dropped);
    return;
  }
  if (!node->is_object()) return;
  if (schema.contains("x-kubernetes-embedded-resource")) return;
  auto props = schema.find("properties");
  auto additional = schema.find("additionalProperties");
  bool keep_unknown = Preserves(schema);
  std::vector<std::string> remove;
  for (auto it = node->begin(); it != node->end(); ++it) {
    std::string child = path.empty() ? it.key() : path + "." + it.key();
    if (props != schema.end() && props->contains(it.key())) {
      Prune(&it.value(), (*props)[it.key()], child, dropped);
    } else if (additional != schema.end() && additional->is_object()) {
      Prune(&it.value(), *additional, child, dropped);
    } else if (additional != schema.end() && additional->is_boolean() && additional->get<bool>()) {
      continue;
    } else if (!keep_unknown) {
      remove.push_back(it.key());
      dropped->push_back(child);
    }
  }
  for (const std::string& key : remove) node->erase(key);
}

}  // namespace

std::shared_ptr<CrdServing> CompileCrd(const nlohmann::json& crd,
                                       std::vector<StatusCause>* causes) {
  auto out = std::make_shared<CrdServing>();
  const nlohmann::json spec = crd.value("spec", nlohmann::json::object());
  const nlohmann::json names = spec.value("names", nlohmann::json::object());
  ResourceType& t = out->type;
  t.custom = true;
  t.group = Str(spec, "group");
  t.plural = Str(names, "plural");
  t.kind = Str(names, "kind");
  t.singular = Str(names, "singular");
  if (t.singular.empty()) {
    t.singular = t.kind;
    for (char& c : t.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (names.contains("shortNames") && names["shortNames"].is_array())
    for (const auto& s : names["shortNames"])
      if (s.is_string()) t.short_names.push_back(s.get<std::string>());
  std::string scope = Str(spec, "scope");
  t.namespaced = scope == "Namespaced";
  t.generation = true;
  std::string name = crd.contains("metadata") ? Str(crd["metadata"], "name") : "";
  t.crd_name = name;

  if (t.group.empty()) Required(causes, "spec.group");
  if (t.plural.empty()) Required(causes, "spec.names.plural");
  if (t.kind.empty()) Required(causes, "spec.names.kind");
  if (scope.empty()) {
    Required(causes, "spec.scope");
  } else if (scope != "Namespaced" && scope != "Cluster") {
    causes->push_back({"FieldValueNotSupported",
                       NotSupportedBody(scope, {"\"Cluster\"", "\"Namespaced\""}), "spec.scope"});
  }
  if (!t.group.empty() && !t.plural.empty() && name != t.plural + "." + t.group) {
    causes->push_back({"FieldValueInvalid",
                       InvalidValueBody(name, "must be spec.names.plural+\".\"+spec.group"),
                       "metadata.name"});
  }
  const nlohmann::json versions = spec.value("versions", nlohmann::json::array());
  if (!versions.is_array() || versions.empty()) {
    causes->push_back({"FieldValueInvalid",
                       "Invalid value: \"null\": must have exactly one "
                       "version marked as storage version",
                       "spec.versions"});
    Required(causes, "spec.versions");
    return nullptr;
  }
  int storage = 0;
  for (size_t i = 0; i < versions.size(); ++i) {
    const nlohmann::json& v = versions[i];
    std::string field = "spec.versions[" + std::to_string(i) + "]";
    std::string vname = Str(v, "name");
    if (vname.empty()) Required(causes, field + ".name");
    if (v.value("storage", false)) ++storage;
    const nlohmann::json* schema = nullptr;
    if (v.contains("schema") && v["schema"].contains("openAPIV3Schema"))
      schema = &v["schema"]["openAPIV3Schema"];
    if (!schema) {
      causes->push_back({"FieldValueRequired", "Required value: schemas are required",
                         field + ".schema.openAPIV3Schema"});
      continue;
    }
    if (!v.value("served", false) || vname.empty()) continue;
    t.versions.push_back(vname);
    out->schemas[vname] = *schema;
    auto compiled = std::make_shared<blueprint::JsonSchema>(FromJson(*schema));
    if (!compiled->schema_problems().empty()) {
      causes->push_back({"FieldValueInvalid",
                         InvalidValueBody(nullptr, compiled->schema_problems().items()[0].summary),
                         field + ".schema.openAPIV3Schema"});
    }
    out->compiled[vname] = compiled;
    if (v.contains("subresources") && v["subresources"].contains("status"))
      out->status_versions.insert(vname);
  }
  if (storage != 1) {
    causes->push_back({"FieldValueInvalid",
                       InvalidValueBody(versions,
                                        "must have exactly one version marked as "
                                        "storage version"),
                       "spec.versions"});
  }
  t.status_subresource = !out->status_versions.empty();
  if (!causes->empty()) return nullptr;
  return out;
}

std::vector<StatusCause> ValidateCustomObject(const CrdServing& crd, const std::string& version,
                                              const nlohmann::json& object) {
  std::vector<StatusCause> out;
  auto it = crd.compiled.find(version);
  if (it == crd.compiled.end()) return out;
  nlohmann::json checked = object;
  // ObjectMeta is validated by the server itself, not by the CRD's schema.
  checked["metadata"] = nlohmann::json::object();
  Diagnostics diags;
  it->second->Validate(FromJson(checked), "", &diags);
  for (const Diagnostic& d : diags.items())
    if (d.severity == Severity::kError) out.push_back(ToCause(d, checked));
  return out;
}

void PruneCustomObject(const CrdServing& crd, const std::string& version, nlohmann::json* object,
                       std::vector<std::string>* dropped) {
  auto it = crd.schemas.find(version);
  if (it == crd.schemas.end()) return;
  static const char* const kMeta[] = {"name",
                                      "generateName",
                                      "namespace",
                                      "selfLink",
                                      "uid",
                                      "resourceVersion",
                                      "generation",
                                      "creationTimestamp",
                                      "deletionTimestamp",
                                      "deletionGracePeriodSeconds",
                                      "labels",
                                      "annotations",
                                      "ownerReferences",
                                      "finalizers",
                                      "managedFields"};
  nlohmann::json meta = object->value("metadata", nlohmann::json::object());
  nlohmann::json kept = nlohmann::json::object();
  for (const char* key : kMeta)
    if (meta.contains(key)) kept[key] = meta[key];
  nlohmann::json body = *object;
  body.erase("metadata");
  body.erase("apiVersion");
  body.erase("kind");
  Prune(&body, it->second, "", dropped);
  body["apiVersion"] = (*object)["apiVersion"];
  body["kind"] = (*object)["kind"];
  body["metadata"] = kept;
  *object = std::move(body);
}

}  // namespace cairn::emulators
