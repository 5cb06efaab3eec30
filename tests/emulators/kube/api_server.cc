#include "tests/emulators/kube/api_server.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "tests/emulators/kube/api_status.h"
#include "tests/emulators/kube/builtin_kinds.h"
#include "tests/emulators/kube/kube_util.h"
#include "tests/emulators/kube/selector.h"
#include "tests/emulators/kube/yaml_json.h"

namespace cairn::emulators {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

KubeResponse JsonResponse(int code, const nlohmann::json& body) {
  KubeResponse r;
  r.code = code;
  r.body = body.dump();
  return r;
}

std::string Query(const KubeRequest& r, const char* key) {
  auto it = r.query.find(key);
  return it == r.query.end() ? "" : it->second;
}

// "5s", "3m", "2h", "4d" as kubectl prints ages.
std::string Age(const std::string& timestamp) {
  std::tm tm{};
  if (!strptime(timestamp.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return "<unknown>";
  long secs = static_cast<long>(std::time(nullptr) - timegm(&tm));
  if (secs < 0) secs = 0;
  if (secs < 120) return std::to_string(secs) + "s";
  if (secs < 3 * 3600) return std::to_string(secs / 60) + "m";
  if (secs < 2 * 86400) return std::to_string(secs / 3600) + "h";
  return std::to_string(secs / 86400) + "d";
}

nlohmann::json TableOf(const std::vector<nlohmann::json>& objects, const std::string& rv) {
  nlohmann::json rows = nlohmann::json::array();
  for (const nlohmann::json& o : objects) {
    nlohmann::json meta = o.value("metadata", nlohmann::json::object());
    meta.erase("managedFields");
    rows.push_back({{"cells", {meta.value("name", ""), Age(meta.value("creationTimestamp", ""))}},
                    {"object",
                     {{"kind", "PartialObjectMetadata"},
                      {"apiVersion", "meta.k8s.io/v1"},
                      {"metadata", meta}}}});
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", {{"resourceVersion", rv}}},
          {"columnDefinitions",
           {{{"name", "Name"},
             {"type", "string"},
             {"format", "name"},
             {"description", "Name must be unique within a namespace."},
             {"priority", 0}},
            {{"name", "Age"},
             {"type", "string"},
             {"format", ""},
             {"description", "CreationTimestamp is a timestamp of when the object was created."},
             {"priority", 0}}}},
          {"rows", rows}};
}

bool WantsTable(const KubeRequest& r) { return r.accept.find("as=Table") != std::string::npos; }

}  // namespace

ApiServer::ApiServer(const KubeEmulatorOptions& options)
    : options_(options), builtins_(BuiltinTypes()) {
  std::string now = NowRfc3339();
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    nlohmann::json obj = {{"apiVersion", "v1"},
                          {"kind", "Namespace"},
                          {"metadata",
                           {{"name", ns},
                            {"uid", NewUid()},
                            {"creationTimestamp", now},
                            {"resourceVersion", NextVersion()}}}};
    DefaultBuiltin(builtins_[0], nullptr, &obj, &next_ip_);
    objects_[StoreKey(builtins_[0])][ObjectKey("", ns)] = MakeStored(std::move(obj));
  }
}

KubeResponse ApiServer::Handle(const KubeRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  Tick();
  return Route(request);
}

void ApiServer::ExpireContinueTokens() {
  std::lock_guard<std::mutex> lock(mu_);
  ++token_epoch_;
}

Status ApiServer::LoadCrds(const std::vector<nlohmann::json>& docs, const std::string& origin) {
  for (const nlohmann::json& doc : docs) {
    if (doc.value("kind", "") != "CustomResourceDefinition") continue;
    KubeRequest req;
    req.method = "PATCH";
    std::string name = doc.contains("metadata") ? doc["metadata"].value("name", "") : "";
    req.path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name;
    req.query = {{"fieldManager", "kube-emulator"}, {"force", "true"}};
    req.content_type = "application/apply-patch+yaml";
    req.body = doc.dump();
    KubeResponse r = Handle(req);
    if (r.code >= 300) {
      nlohmann::json s = nlohmann::json::parse(r.body, nullptr, false);
      std::string msg = s.is_object() ? s.value("message", r.body) : r.body;
      return Status::Error(origin + ": CRD " + name + " was rejected (" + std::to_string(r.code) +
                           "): " + msg);
    }
    std::lock_guard<std::mutex> lock(mu_);
    Establish(name);
  }
  return Status::Ok();
}

void ApiServer::Tick() {
  Clock::time_point now = Clock::now();
  for (auto& [name, entry] : crds_)
    if (!entry.established && entry.establish_at <= now) Establish(name);
  std::vector<Pending> later;
  for (const Pending& p : pending_) {
    if (p.when <= now) {
      MarkAvailable(p);
    } else {
      later.push_back(p);
    }
  }
  pending_ = std::move(later);
}

void ApiServer::Establish(const std::string& crd_name) {
  auto it = crds_.find(crd_name);
  if (it == crds_.end() || it->second.established) return;
  it->second.established = true;
  auto& store = objects_["apiextensions.k8s.io/customresourcedefinitions"];
  auto obj = store.find(ObjectKey("", crd_name));
  if (obj == store.end()) return;
  nlohmann::json next = obj->second->object;
  nlohmann::json& status = next["status"];
  nlohmann::json conds = status.value("conditions", nlohmann::json::array());
  conds.push_back({{"type", "Established"},
                   {"status", "True"},
                   {"lastTransitionTime", NowRfc3339()},
                   {"reason", "InitialNamesAccepted"},
                   {"message", "the initial names have been accepted"}});
  status["conditions"] = conds;
  next["metadata"]["resourceVersion"] = NextVersion();
  obj->second = MakeStored(std::move(next));
}

void ApiServer::MarkAvailable(const Pending& p) {
  auto store = objects_.find(p.store_key);
  if (store == objects_.end()) return;
  auto it = store->second.find(p.object_key);
  if (it == store->second.end()) return;
  nlohmann::json obj = it->second->object;
  int64_t replicas = obj["spec"].value("replicas", 1);
  std::string now = NowRfc3339();
  std::string name = obj["metadata"].value("name", "");
  nlohmann::json status = {{"observedGeneration", obj["metadata"].value("generation", 1)},
                           {"replicas", replicas},
                           {"readyReplicas", replicas},
                           {"availableReplicas", replicas},
                           {"updatedReplicas", replicas}};
  if (obj.value("kind", "") == "Deployment") {
    status["conditions"] = {
        {{"type", "Available"},
         {"status", "True"},
         {"lastUpdateTime", now},
         {"lastTransitionTime", now},
         {"reason", "MinimumReplicasAvailable"},
         {"message", "Deployment has minimum availability."}},
        {{"type", "Progressing"},
         {"status", "True"},
         {"lastUpdateTime", now},
         {"lastTransitionTime", now},
         {"reason", "NewReplicaSetAvailable"},
         {"message", "ReplicaSet \"" + name + "-5d4f8c7b9\" has successfully progressed."}}};
  } else {
    status["currentReplicas"] = replicas;
    status["availableReplicas"] = replicas;
  }
  if (replicas == 0) status.erase("readyReplicas");
  obj["status"] = std::move(status);
  obj["metadata"]["resourceVersion"] = NextVersion();
  it->second = MakeStored(std::move(obj));
}

const ResourceType* ApiServer::FindType(const std::string& group, const std::string& version,
                                        const std::string& plural,
                                        std::shared_ptr<CrdServing>* crd) {
  for (const ResourceType& t : builtins_)
    if (t.group == group && t.plural == plural && t.versions[0] == version) return &t;
  for (auto& [name, entry] : crds_) {
    const ResourceType& t = entry.serving->type;
    if (!entry.established || t.group != group || t.plural != plural) continue;
    if (std::find(t.versions.begin(), t.versions.end(), version) == t.versions.end()) continue;
    *crd = entry.serving;
    return &t;
  }
  return nullptr;
}

bool ApiServer::Resolve(const std::vector<std::string>& seg, Target* t) {
  size_t base = seg[0] == "api" ? 2 : 3;
  std::string group = seg[0] == "api" ? "" : seg[1];
  t->version = seg[base - 1];
  std::vector<std::string> rest(seg.begin() + base, seg.end());
  if (rest.empty()) return false;
  std::shared_ptr<CrdServing> crd;
  if (rest[0] == "namespaces" && rest.size() >= 3 && group.empty() && rest[2] != "status" &&
      rest[2] != "finalize") {
    t->ns = rest[1];
    t->type = FindType(group, t->version, rest[2], &crd);
    if (!t->type || !t->type->namespaced || rest.size() > 5) return false;
    if (rest.size() >= 4) t->name = rest[3];
    if (rest.size() == 5) t->subresource = rest[4];
  } else if (rest[0] == "namespaces" && rest.size() >= 3 && !group.empty()) {
    t->ns = rest[1];
    t->type = FindType(group, t->version, rest[2], &crd);
    if (!t->type || !t->type->namespaced || rest.size() > 5) return false;
    if (rest.size() >= 4) t->name = rest[3];
    if (rest.size() == 5) t->subresource = rest[4];
  } else {
    t->type = FindType(group, t->version, rest[0], &crd);
    if (!t->type || rest.size() > 3) return false;
    if (rest.size() >= 2) {
      if (t->type->namespaced) return false;
      t->name = rest[1];
    }
    if (rest.size() == 3) t->subresource = rest[2];
  }
  t->crd = crd;
  if (!t->subresource.empty() &&
      !(t->subresource == "status" &&
        (t->type->status_subresource || t->type->kind == "Namespace" || t->type->kind == "Node")))
    return false;
  return true;
}

KubeResponse ApiServer::Route(const KubeRequest& request) {
  std::vector<std::string> seg = Split(request.path);
  bool handled = false;
  KubeResponse r = Discovery(seg, request, &handled);
  if (handled) return r;
  bool api = !seg.empty() && seg[0] == "api" && seg.size() >= 3 && seg[1] == "v1";
  bool apis = !seg.empty() && seg[0] == "apis" && seg.size() >= 4;
  if (!api && !apis) return UnknownResource();
  Target t;
  if (!Resolve(seg, &t)) return UnknownResource();
  const std::string& m = request.method;
  if (!t.name.empty()) {
    if (m == "GET") return Get(t, request);
    if (m == "PUT") return Update(t, request);
    if (m == "PATCH") return Patch(t, request);
    if (m == "DELETE" && t.subresource.empty()) return Delete(t, request);
    return MethodNotAllowed();
  }
  if (m == "GET") return List(t, request);
  if (m == "POST" && (t.type->namespaced ? !t.ns.empty() : true)) return Create(t, request);
  if (m == "DELETE" && (t.type->namespaced ? !t.ns.empty() : true))
    return DeleteCollection(t, request);
  return MethodNotAllowed();
}

KubeResponse ApiServer::Discovery(const std::vector<std::string>& seg, const KubeRequest& request,
                                  bool* handled) {
  // Only these paths are discovery; the tables below are not built for the others.
  size_t n = seg.size();
  const std::string first = n ? seg[0] : "";
  bool discovery = n == 0 ||
                   (n == 1 && (first == "version" || first == "healthz" || first == "readyz" ||
                               first == "livez" || first == "api" || first == "apis")) ||
                   (n == 2 && (first == "api" || first == "apis")) || (n == 3 && first == "apis") ||
                   (n >= 2 && first == "openapi");
  *handled = discovery;
  if (!discovery) return {};
  // Group -> versions -> types, built-ins first, then established CRDs.
  std::vector<std::string> group_order;
  std::map<std::string, std::vector<std::string>> versions;
  std::map<std::string, std::vector<const ResourceType*>> by_gv;
  auto add = [&](const ResourceType& t) {
    if (std::find(group_order.begin(), group_order.end(), t.group) == group_order.end())
      group_order.push_back(t.group);
    for (const std::string& v : t.versions) {
      auto& vs = versions[t.group];
      if (std::find(vs.begin(), vs.end(), v) == vs.end()) vs.push_back(v);
      by_gv[t.ApiVersion(v)].push_back(&t);
    }
  };
  for (const ResourceType& t : builtins_) add(t);
  for (auto& [name, entry] : crds_)
    if (entry.established) add(entry.serving->type);

  bool get = request.method == "GET";
  if (n == 0 && get) {
    nlohmann::json paths = {"/api", "/api/v1", "/apis", "/openapi/v3", "/version"};
    for (const std::string& g : group_order)
      if (!g.empty()) paths.push_back("/apis/" + g);
    return JsonResponse(200, {{"paths", paths}});
  }
  if (n == 1 && get && seg[0] == "version") {
    return JsonResponse(200, {{"major", "1"},
                              {"minor", "28"},
                              {"gitVersion", "v1.28.7"},
                              {"gitCommit", "kube-emulator"},
                              {"gitTreeState", "clean"},
                              {"buildDate", "2024-02-14T00:00:00Z"},
                              {"goVersion", "go1.21.7"},
                              {"compiler", "gc"},
                              {"platform", "linux/amd64"}});
  }
  if (n == 1 && get && (seg[0] == "healthz" || seg[0] == "readyz" || seg[0] == "livez")) {
    KubeResponse r;
    r.body = "ok";
    r.content_type = "text/plain";
    return r;
  }
  if (n == 1 && get && seg[0] == "api") {
    return JsonResponse(200, {{"kind", "APIVersions"},
                              {"versions", {"v1"}},
                              {"serverAddressByClientCIDRs",
                               {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}});
  }
  if (n == 2 && get && seg[0] == "api" && seg[1] == "v1")
    return JsonResponse(200, ApiResourceList("v1", by_gv["v1"]));
  if (n == 1 && get && seg[0] == "apis") {
    nlohmann::json groups = nlohmann::json::array();
    for (const std::string& g : group_order)
      if (!g.empty()) groups.push_back(ApiGroup(g, versions[g]));
    return JsonResponse(200, {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}});
  }
  if (n == 2 && get && seg[0] == "apis") {
    if (!versions.count(seg[1]) || seg[1].empty()) return UnknownResource();
    nlohmann::json g = ApiGroup(seg[1], versions[seg[1]]);
    g["kind"] = "APIGroup";
    g["apiVersion"] = "v1";
    return JsonResponse(200, g);
  }
  if (n == 3 && get && seg[0] == "apis") {
    std::string gv = seg[1] + "/" + seg[2];
    if (!by_gv.count(gv)) return UnknownResource();
    return JsonResponse(200, ApiResourceList(gv, by_gv[gv]));
  }
  if (n >= 2 && seg[0] == "openapi") {
    if (n == 2 && seg[1] == "v2" && get) {
      // kubectl loads the v2 schema (protobuf) before validating; an empty message is an empty
      // document, and the v3 documents below then send it to server-side field validation.
      KubeResponse r;
      r.content_type = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
      return r;
    }
    if (seg[1] != "v3" || !get) return UnknownResource();
    if (n == 2) {
      nlohmann::json paths = nlohmann::json::object();
      for (const auto& [gv, types] : by_gv) {
        std::string key = gv.find('/') == std::string::npos ? "api/" + gv : "apis/" + gv;
        paths[key] = {{"serverRelativeURL",
                       "/openapi/v3/" + key + "?hash=" + std::to_string(resource_version_)}};
      }
      return JsonResponse(200, {{"paths", paths}});
    }
    std::string gv;
    if (n == 4 && seg[2] == "api") gv = seg[3];
    if (n == 5 && seg[2] == "apis") gv = seg[3] + "/" + seg[4];
    if (gv.empty() || !by_gv.count(gv)) return UnknownResource();
    return JsonResponse(200, OpenApiV3Document(gv, by_gv[gv]));
  }
  *handled = false;
  return {};
}

KubeResponse ApiServer::Get(const Target& t, const KubeRequest& request) {
  StoredPtr obj = Find(*t.type, ObjectKey(t.ns, t.name));
  if (!obj) return NotFound(t.type->group, t.type->plural, t.name);
  if (WantsTable(request))
    return JsonResponse(200, TableOf({obj->object}, std::to_string(resource_version_)));
  return Respond(200, t, *obj);
}

KubeResponse ApiServer::List(const Target& t, const KubeRequest& request) {
  Result<Selector> labels = Selector::ParseLabels(Query(request, "labelSelector"));
  if (!labels.ok()) return BadRequest(labels.status().message());
  Result<Selector> fields = Selector::ParseFields(Query(request, "fieldSelector"));
  if (!fields.ok()) return BadRequest(fields.status().message());
  int64_t limit = 0;
  if (std::string l = Query(request, "limit"); !l.empty()) limit = std::atoll(l.c_str());
  std::string start;
  if (std::string c = Query(request, "continue"); !c.empty()) {
    // Tokens are URL-safe base64 without padding, as the real server's are.
    std::replace(c.begin(), c.end(), '-', '+');
    std::replace(c.begin(), c.end(), '_', '/');
    while (c.size() % 4) c += '=';
    std::optional<std::string> raw = Base64Decode(c);
    nlohmann::json token =
        raw ? nlohmann::json::parse(*raw, nullptr, false) : nlohmann::json(nullptr);
    if (!token.is_object() || !token.contains("start") || !token["start"].is_string() ||
        token.value("epoch", uint64_t{0}) != token_epoch_)
      return ExpiredContinue();
    start = token["start"].get<std::string>();
  }
  auto& store = objects_[StoreKey(*t.type)];
  std::string prefix = t.ns.empty() ? "" : t.ns + "/";
  std::vector<const StoredObject*> items;
  std::string last;
  int64_t remaining = 0;
  for (auto it = start.empty() ? store.lower_bound(prefix) : store.upper_bound(start);
       it != store.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    const nlohmann::json& obj = it->second->object;
    if (!labels->Matches(obj) || !fields->Matches(obj)) continue;
    if (limit > 0 && static_cast<int64_t>(items.size()) >= limit) {
      ++remaining;
      continue;
    }
    items.push_back(it->second.get());
    last = it->first;
  }
  std::string rv = std::to_string(resource_version_);
  if (WantsTable(request)) {
    std::vector<nlohmann::json> objects;
    for (const StoredObject* item : items) objects.push_back(item->object);
    return JsonResponse(200, TableOf(objects, rv));
  }
  nlohmann::json meta = {{"resourceVersion", rv}};
  if (remaining > 0) {
    nlohmann::json token = {{"v", "meta.k8s.io/v1"},
                            {"rv", resource_version_},
                            {"start", last},
                            {"epoch", token_epoch_}};
    std::string text = Base64Encode(token.dump());
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    text.erase(std::remove(text.begin(), text.end(), '='), text.end());
    meta["continue"] = text;
    if (labels->empty() && fields->empty()) meta["remainingItemCount"] = remaining;
  }
  KubeResponse r;
  // Typed lists of built-in kinds do not repeat kind and apiVersion per item.
  r.body = ListText(t.type->kind + "List", t.type->ApiVersion(t.version), meta, items,
                    /*full_items=*/t.crd != nullptr);
  return r;
}

KubeResponse ApiServer::Delete(const Target& t, const KubeRequest& request) {
  nlohmann::json opts = nlohmann::json::object();
  if (!request.body.empty()) {
    Result<nlohmann::json> parsed = ParseBody(request.body);
    if (!parsed.ok() || !parsed->is_object()) return BadRequest("invalid DeleteOptions body");
    opts = *parsed;
  }
  std::string policy = opts.value("propagationPolicy", Query(request, "propagationPolicy"));
  if (!policy.empty() && policy != "Foreground" && policy != "Background" && policy != "Orphan") {
    return Invalid("meta.k8s.io", "DeleteOptions", "",
                   {{"FieldValueNotSupported",
                     NotSupportedBody(policy, {"\"Foreground\"", "\"Background\"", "\"Orphan\""}),
                     "propagationPolicy"}});
  }
  std::string store_key = StoreKey(*t.type);
  auto& store = objects_[store_key];
  auto it = store.find(ObjectKey(t.ns, t.name));
  if (it == store.end()) return NotFound(t.type->group, t.type->plural, t.name);
  nlohmann::json obj = it->second->object;
  const nlohmann::json& meta = obj["metadata"];
  if (opts.contains("preconditions") && opts["preconditions"].is_object()) {
    const nlohmann::json& pre = opts["preconditions"];
    std::string what;
    if (pre.contains("uid") && pre["uid"] != meta["uid"]) {
      what = "UID in precondition: " + pre["uid"].get<std::string>() +
             ", UID in object meta: " + meta.value("uid", "");
    } else if (pre.contains("resourceVersion") &&
               pre["resourceVersion"] != meta["resourceVersion"]) {
      what = "ResourceVersion in precondition: " + pre["resourceVersion"].get<std::string>() +
             ", ResourceVersion in object meta: " + meta.value("resourceVersion", "");
    }
    if (!what.empty()) {
      return StatusResponse(409, "Conflict",
                            "Operation cannot be fulfilled on " +
                                QualifiedResource(t.type->plural, t.type->group) + " \"" + t.name +
                                "\": Precondition failed: " + what,
                            {{"name", t.name}, {"group", t.type->group}, {"kind", t.type->plural}});
    }
  }
  if (HasFinalizers(obj)) {
    // Deletion waits for the finalizers' owners: the object stays, marked, until they are gone.
    if (!meta.contains("deletionTimestamp")) {
      obj["metadata"]["deletionTimestamp"] = NowRfc3339();
      obj["metadata"]["resourceVersion"] = NextVersion();
      it->second = MakeStored(std::move(obj));
    }
    return Respond(200, t, *it->second);
  }
  store.erase(it);
  std::string rv = NextVersion();
  const std::string& kind = t.type->kind;
  if (kind == "Namespace") {
    // No finalizer wait: what the namespace held is gone at once.
    std::string prefix = t.name + "/";
    for (auto& [key, objects] : objects_) {
      for (auto o = objects.lower_bound(prefix);
           o != objects.end() && o->first.compare(0, prefix.size(), prefix) == 0;)
        o = objects.erase(o);
    }
  }
  if (kind == "CustomResourceDefinition") {
    auto crd = crds_.find(t.name);
    if (crd != crds_.end()) {
      objects_.erase(StoreKey(crd->second.serving->type));
      crds_.erase(crd);
    }
  }
  if (kind == "Namespace" || kind == "CustomResourceDefinition" || t.crd) {
    obj["metadata"]["deletionTimestamp"] = NowRfc3339();
    obj["metadata"]["resourceVersion"] = rv;
    if (kind == "Namespace") obj["status"]["phase"] = "Terminating";
    return RespondJson(200, t, std::move(obj));
  }
  return DeleteSuccess(t.type->group, t.type->plural, t.name, meta.value("uid", ""));
}

KubeResponse ApiServer::DeleteCollection(const Target& t, const KubeRequest& request) {
  Result<Selector> labels = Selector::ParseLabels(Query(request, "labelSelector"));
  if (!labels.ok()) return BadRequest(labels.status().message());
  auto& store = objects_[StoreKey(*t.type)];
  std::string prefix = t.ns.empty() ? "" : t.ns + "/";
  nlohmann::json items = nlohmann::json::array();
  for (auto it = store.lower_bound(prefix);
       it != store.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
    if (labels->Matches(it->second->object)) {
      items.push_back(it->second->object);
      it = store.erase(it);
    } else {
      ++it;
    }
  }
  return JsonResponse(200, {{"kind", t.type->kind + "List"},
                            {"apiVersion", t.type->ApiVersion(t.version)},
                            {"metadata", {{"resourceVersion", NextVersion()}}},
                            {"items", items}});
}

StoredPtr ApiServer::Find(const ResourceType& type, const std::string& key) {
  auto store = objects_.find(StoreKey(type));
  if (store == objects_.end()) return nullptr;
  auto it = store->second.find(key);
  return it == store->second.end() ? nullptr : it->second;
}

KubeResponse ApiServer::RespondJson(int code, const Target& t, nlohmann::json object) {
  object["apiVersion"] = t.type->ApiVersion(t.version);
  return JsonResponse(code, object);
}

KubeResponse ApiServer::Respond(int code, const Target& t, const StoredObject& object,
                                const std::vector<std::string>& warnings) {
  KubeResponse r;
  r.code = code;
  r.body = TextAs(object, t.type->ApiVersion(t.version));
  for (const std::string& w : warnings) {
    nlohmann::json quoted = w;
    r.headers.emplace_back("Warning", "299 - " + quoted.dump());
  }
  return r;
}

}  // namespace cairn::emulators
