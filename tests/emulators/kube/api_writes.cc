// Create, update, patch and server-side apply of the emulated API server.
#include <algorithm>

#include "tests/emulators/kube/api_server.h"
#include "tests/emulators/kube/api_status.h"
#include "tests/emulators/kube/builtin_kinds.h"
#include "tests/emulators/kube/field_manager.h"
#include "tests/emulators/kube/json_parse.h"
#include "tests/emulators/kube/kube_util.h"
#include "tests/emulators/kube/yaml_json.h"

namespace cairn::emulators {
namespace {

std::string Query(const KubeRequest& r, const char* key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? "" : it->second;
}

std::string MediaType(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  t.erase(std::remove(t.begin(), t.end(), ' '), t.end());
  return t;
}

// Whether everything but metadata and status (what metadata.generation counts) is equal.
bool SameSpec(const nlohmann::json& a, const nlohmann::json& b) {
  auto skip = [](const std::string& key) { return key == "metadata" || key == "status"; };
  auto x = a.begin(), y = b.begin();
  while (true) {
    while (x != a.end() && skip(x.key())) ++x;
    while (y != b.end() && skip(y.key())) ++y;
    if (x == a.end() || y == b.end()) return x == a.end() && y == b.end();
    if (x.key() != y.key() || *x != *y) return false;
    ++x;
    ++y;
  }
}

KubeResponse PatchOptionsInvalid(const std::string& field, const std::string& reason,
                                 const std::string& message) {
  return Invalid("meta.k8s.io", "PatchOptions", "", {{reason, message, field}});
}

KubeResponse Ok() { return KubeResponse{0, "", "", {}}; }

}  // namespace

std::string ApiServer::ManagerName(const KubeRequest& request) const {
  std::string m = Query(request, "fieldManager");
  if (!m.empty()) return m;
  m = request.user_agent.substr(0, request.user_agent.find('/'));
  return m.empty() ? "unknown" : m.substr(0, 128);
}

KubeResponse ApiServer::CheckIdentity(const Target& t, nlohmann::json* body, bool is_create) {
  if (!body->is_object()) return BadRequest("the request body must be a JSON or YAML object");
  std::string want = t.type->ApiVersion(t.version);
  if (body->contains("apiVersion") && (*body)["apiVersion"] != want) {
    return BadRequest("the API version in the data (" + body->value("apiVersion", "") +
                      ") does not match the expected API version (" + want + ")");
  }
  if (body->contains("kind") && (*body)["kind"] != t.type->kind) {
    return BadRequest("the kind in the data (" + body->value("kind", "") +
                      ") does not match the expected kind (" + t.type->kind + ")");
  }
  (*body)["apiVersion"] = want;
  (*body)["kind"] = t.type->kind;
  nlohmann::json& meta = (*body)["metadata"];
  if (!meta.is_object()) meta = nlohmann::json::object();
  if (t.type->namespaced) {
    if (meta.contains("namespace") && meta["namespace"] != t.ns && meta["namespace"] != "")
      return BadRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    meta["namespace"] = t.ns;
  } else {
    meta.erase("namespace");
  }
  if (!t.name.empty()) {
    if (meta.contains("name") && meta["name"] != t.name) {
      return BadRequest("the name of the object (" + meta.value("name", "") +
                        ") does not match the name on the URL (" + t.name + ")");
    }
    meta["name"] = t.name;
  } else if (is_create && !meta.contains("name") && meta.contains("generateName")) {
    meta["name"] = meta.value("generateName", "") + RandomSuffix(5);
  }
  return Ok();
}

KubeResponse ApiServer::Prepare(const Target& t, const nlohmann::json& old, nlohmann::json* obj,
                                const KubeRequest& request, std::vector<std::string>* warnings) {
  nlohmann::json& meta = (*obj)["metadata"];
  for (const char* key : {"uid", "creationTimestamp", "resourceVersion", "generation", "selfLink",
                          "deletionTimestamp"})
    meta.erase(key);
  // ObjectMeta's maps are omitempty: removing the last label leaves no labels map to own.
  for (const char* key : {"labels", "annotations"})
    if (meta.contains(key) && meta[key].is_object() && meta[key].empty()) meta.erase(key);
  if (old.is_null()) {
    meta["uid"] = NewUid();
    meta["creationTimestamp"] = NowRfc3339();
  } else {
    meta["uid"] = old["metadata"]["uid"];
    meta["creationTimestamp"] = old["metadata"]["creationTimestamp"];
    // An object being deleted stays so until its last finalizer is removed (see Store).
    if (old["metadata"].contains("deletionTimestamp"))
      meta["deletionTimestamp"] = old["metadata"]["deletionTimestamp"];
  }
  if (t.type->status_subresource && t.subresource.empty()) {
    if (!old.is_null() && old.contains("status")) {
      (*obj)["status"] = old["status"];
    } else {
      obj->erase("status");
    }
  }
  std::string name = meta.value("name", "");
  std::vector<StatusCause> causes = ValidateName(*t.type, name);
  if (t.crd) {
    std::vector<std::string> dropped;
    PruneCustomObject(*t.crd, t.version, obj, &dropped);
    std::string mode = Query(request, "fieldValidation");
    if (!dropped.empty() && mode == "Strict") {
      std::string msg = t.type->kind + " in version \"" + t.version + "\" cannot be handled as a " +
                        t.type->kind + ": strict decoding error: ";
      for (size_t i = 0; i < dropped.size(); ++i)
        msg += (i ? ", " : "") + std::string("unknown field \"") + dropped[i] + "\"";
      return BadRequest(msg);
    }
    if (mode != "Ignore")
      for (const std::string& d : dropped) warnings->push_back("unknown field \"" + d + "\"");
    std::vector<StatusCause> more = ValidateCustomObject(*t.crd, t.version, *obj);
    causes.insert(causes.end(), more.begin(), more.end());
  } else {
    DefaultBuiltin(*t.type, old, obj, &next_ip_);
    std::vector<StatusCause> more = ValidateBuiltin(*t.type, *obj);
    causes.insert(causes.end(), more.begin(), more.end());
    if (t.type->kind == "CustomResourceDefinition") CompileCrd(*obj, &causes);
  }
  if (!causes.empty()) return Invalid(t.type->group, t.type->kind, name, causes);
  return Ok();
}

StoredPtr ApiServer::Store(const Target& t, const nlohmann::json& old, nlohmann::json obj) {
  nlohmann::json& meta = obj["metadata"];
  bool is_crd = t.type->kind == "CustomResourceDefinition";
  if (is_crd) {
    // The CRD's status is the server's: accepted names, stored versions, conditions.
    nlohmann::json status =
        old.is_null() ? nlohmann::json::object() : old.value("status", nlohmann::json::object());
    nlohmann::json names = obj["spec"]["names"];
    if (!names.contains("singular") && names.contains("kind")) {
      std::string s = names["kind"].get<std::string>();
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      names["singular"] = s;
    }
    if (!names.contains("listKind") && names.contains("kind"))
      names["listKind"] = names["kind"].get<std::string>() + "List";
    status["acceptedNames"] = names;
    nlohmann::json stored = status.value("storedVersions", nlohmann::json::array());
    for (const nlohmann::json& v : obj["spec"]["versions"])
      if (v.value("storage", false) &&
          std::find(stored.begin(), stored.end(), v["name"]) == stored.end())
        stored.push_back(v["name"]);
    status["storedVersions"] = stored;
    if (!status.contains("conditions")) {
      status["conditions"] = {{{"type", "NamesAccepted"},
                               {"status", "True"},
                               {"lastTransitionTime", NowRfc3339()},
                               {"reason", "NoConflicts"},
                               {"message", "no conflicts found"}}};
    }
    obj["status"] = status;
  }
  if (!old.is_null()) {
    meta["resourceVersion"] = old["metadata"]["resourceVersion"];
    if (old["metadata"].contains("generation")) meta["generation"] = old["metadata"]["generation"];
    if (obj == old) return Find(*t.type, ObjectKey(t.ns, meta.value("name", "")));
  }
  bool spec_changed = old.is_null() || !SameSpec(old, obj);
  if (t.type->generation) {
    int64_t gen = old.is_null() ? 0 : old["metadata"].value("generation", int64_t{0});
    meta["generation"] = spec_changed ? gen + 1 : gen;
  }
  meta["resourceVersion"] = NextVersion();
  std::string key = ObjectKey(t.ns, meta.value("name", ""));
  if (meta.contains("deletionTimestamp") && !HasFinalizers(obj)) {
    objects_[StoreKey(*t.type)].erase(key);  // the last finalizer is gone: so is the object
    return MakeStored(std::move(obj));
  }
  bool is_namespace_create = t.type->kind == "Namespace" && old.is_null();
  std::string name = meta.value("name", "");
  std::vector<StatusCause> ignored;
  std::shared_ptr<CrdServing> serving = is_crd ? CompileCrd(obj, &ignored) : nullptr;
  StoredPtr stored = MakeStored(std::move(obj));
  objects_[StoreKey(*t.type)][key] = stored;
  const std::string& kind = t.type->kind;
  if ((kind == "Deployment" || kind == "StatefulSet") && spec_changed) {
    pending_.push_back({Clock::now() + std::chrono::milliseconds(options_.deployment_ready_ms),
                        StoreKey(*t.type), key});
  }
  if (is_namespace_create) {
    nlohmann::json sa = {{"apiVersion", "v1"},
                         {"kind", "ServiceAccount"},
                         {"metadata",
                          {{"name", "default"},
                           {"namespace", name},
                           {"uid", NewUid()},
                           {"creationTimestamp", NowRfc3339()},
                           {"resourceVersion", NextVersion()}}}};
    objects_["/serviceaccounts"][ObjectKey(name, "default")] = MakeStored(std::move(sa));
  }
  if (is_crd) {
    auto it = crds_.find(name);
    if (it == crds_.end()) {
      CrdEntry entry;
      entry.serving = serving;
      entry.establish_at = Clock::now() + std::chrono::milliseconds(options_.crd_establish_ms);
      crds_[name] = entry;
    } else if (serving) {
      it->second.serving = serving;
    }
  }
  return stored;
}

KubeResponse ApiServer::Create(const Target& t, const KubeRequest& request) {
  Result<nlohmann::json> parsed = ParseBody(request.body);
  if (!parsed.ok()) return BadRequest(parsed.status().message());
  nlohmann::json body = *parsed;
  KubeResponse r = CheckIdentity(t, &body, true);
  if (r.code) return r;
  std::string name = body["metadata"].value("name", "");
  if (name.empty()) {
    return Invalid(t.type->group, t.type->kind, "",
                   {{"FieldValueRequired", "Required value: name or generateName is required",
                     "metadata.name"}});
  }
  if (t.type->namespaced && !objects_["/namespaces"].count(ObjectKey("", t.ns)))
    return NotFound("", "namespaces", t.ns);
  if (objects_[StoreKey(*t.type)].count(ObjectKey(t.ns, name)))
    return AlreadyExists(t.type->group, t.type->plural, name);
  body["metadata"].erase("managedFields");
  std::vector<std::string> warnings;
  r = Prepare(t, nullptr, &body, request, &warnings);
  if (r.code) return r;
  RecordUpdate(nullptr, &body, ManagerName(request), body["apiVersion"], NowRfc3339());
  return Respond(201, t, *Store(t, nullptr, std::move(body)), warnings);
}

KubeResponse ApiServer::Update(const Target& t, const KubeRequest& request) {
  Result<nlohmann::json> parsed = ParseBody(request.body);
  if (!parsed.ok()) return BadRequest(parsed.status().message());
  nlohmann::json body = *parsed;
  KubeResponse r = CheckIdentity(t, &body, false);
  if (r.code) return r;
  StoredPtr stored = Find(*t.type, ObjectKey(t.ns, t.name));
  if (!stored) return NotFound(t.type->group, t.type->plural, t.name);
  const nlohmann::json& old = stored->object;
  std::string rv = body["metadata"].value("resourceVersion", "");
  if (!rv.empty() && rv != old["metadata"].value("resourceVersion", ""))
    return StaleConflict(t.type->group, t.type->plural, t.name);
  if (t.subresource == "status") {
    nlohmann::json next = old;
    next["status"] = body.value("status", nlohmann::json::object());
    return Respond(200, t, *Store(t, old, std::move(next)));
  }
  std::vector<std::string> warnings;
  r = Prepare(t, old, &body, request, &warnings);
  if (r.code) return r;
  RecordUpdate(old, &body, ManagerName(request), body["apiVersion"], NowRfc3339());
  return Respond(200, t, *Store(t, old, std::move(body)), warnings);
}

KubeResponse ApiServer::Patch(const Target& t, const KubeRequest& request) {
  std::string type = MediaType(request.content_type);
  if (type == "application/apply-patch+yaml") {
    Result<nlohmann::json> parsed = ParseBody(request.body);
    if (!parsed.ok()) return BadRequest(parsed.status().message());
    return Apply(t, request, std::move(*parsed));
  }
  if (!Query(request, "force").empty()) {
    return PatchOptionsInvalid("force", "FieldValueForbidden",
                               "Forbidden: may not be specified for non-apply patch");
  }
  bool merge = type == "application/merge-patch+json" ||
               (type == "application/strategic-merge-patch+json" && !t.crd);
  if (!merge && type != "application/json-patch+json") return UnsupportedMediaType(type);
  StoredPtr stored = Find(*t.type, ObjectKey(t.ns, t.name));
  if (!stored) return NotFound(t.type->group, t.type->plural, t.name);
  const nlohmann::json& old = stored->object;
  nlohmann::json patch = ParseJson(request.body);
  if (patch.is_discarded()) return BadRequest("error decoding patch: invalid JSON");
  nlohmann::json next = old;
  if (merge) {
    if (!patch.is_object()) return BadRequest("error decoding patch: not a JSON object");
    MergePatch(&next, patch);
  } else {
    try {
      next = old.patch(patch);
    } catch (const nlohmann::json::exception& e) {
      return StatusResponse(422, "Invalid",
                            std::string("the server rejected our request due to "
                                        "an error in our request: ") +
                                e.what());
    }
  }
  std::string rv = next["metadata"].value("resourceVersion", "");
  if (rv != old["metadata"].value("resourceVersion", ""))
    return StaleConflict(t.type->group, t.type->plural, t.name);
  if (t.subresource == "status") {
    nlohmann::json status_only = old;
    status_only["status"] = next.value("status", nlohmann::json::object());
    return Respond(200, t, *Store(t, old, std::move(status_only)));
  }
  KubeResponse r = CheckIdentity(t, &next, false);
  if (r.code) return r;
  std::vector<std::string> warnings;
  r = Prepare(t, old, &next, request, &warnings);
  if (r.code) return r;
  RecordUpdate(old, &next, ManagerName(request), next["apiVersion"], NowRfc3339());
  return Respond(200, t, *Store(t, old, std::move(next)), warnings);
}

KubeResponse ApiServer::Apply(const Target& t, const KubeRequest& request, nlohmann::json body) {
  std::string manager = Query(request, "fieldManager");
  if (manager.empty()) {
    return PatchOptionsInvalid("fieldManager", "FieldValueRequired",
                               "Required value: is required for apply patch");
  }
  if (manager.size() > 128) {
    return PatchOptionsInvalid("fieldManager", "FieldValueTooLong",
                               "Too long: may not be longer than 128");
  }
  if (!t.subresource.empty()) return MethodNotAllowed();
  if (!body.is_object()) return BadRequest("the apply configuration must be an object");
  for (const char* key : {"apiVersion", "kind"}) {
    if (!body.contains(key) || !body[key].is_string() || body[key] == "")
      return BadRequest(std::string("Object '") + (key[0] == 'k' ? "Kind" : "apiVersion") +
                        "' is missing in '" + body.dump() + "'");
  }
  if (body.contains("metadata") && body["metadata"].contains("managedFields"))
    return BadRequest("metadata.managedFields must be nil");
  nlohmann::json config = std::move(body);
  KubeResponse r = CheckIdentity(t, &config, false);
  if (r.code) return r;
  if (t.type->status_subresource) config.erase("status");
  std::vector<std::string> warnings;
  if (t.crd) {
    std::vector<std::string> dropped;
    PruneCustomObject(*t.crd, t.version, &config, &dropped);
    if (!dropped.empty() && Query(request, "fieldValidation") == "Strict") {
      std::string msg;
      for (size_t i = 0; i < dropped.size(); ++i)
        msg += (i ? ", " : "") + std::string(".") + dropped[i] + ": field not declared in schema";
      return BadRequest(msg);
    }
    if (Query(request, "fieldValidation") != "Ignore")
      for (const std::string& d : dropped) warnings.push_back("unknown field \"" + d + "\"");
  }
  static const nlohmann::json kAbsent;
  StoredPtr stored = Find(*t.type, ObjectKey(t.ns, t.name));
  const nlohmann::json& old = stored ? stored->object : kAbsent;
  if (old.is_null() && t.type->namespaced && !objects_["/namespaces"].count(ObjectKey("", t.ns)))
    return NotFound("", "namespaces", t.ns);
  std::string api_version = config["apiVersion"].get<std::string>();
  ApplyOutcome outcome = ServerSideApply(old, std::move(config), manager, api_version,
                                         Query(request, "force") == "true", NowRfc3339());
  if (!outcome.conflicts.empty()) {
    nlohmann::json causes = nlohmann::json::array();
    for (const StatusCause& c : outcome.conflicts)
      causes.push_back({{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
    return StatusResponse(409, "Conflict", outcome.conflict_message, {{"causes", causes}});
  }
  nlohmann::json next = std::move(outcome.object);
  r = Prepare(t, old, &next, request, &warnings);
  if (r.code) return r;
  return Respond(old.is_null() ? 201 : 200, t, *Store(t, old, std::move(next)), warnings);
}

}  // namespace cairn::emulators
