#include "tests/emulators/kube/resource_types.h"

namespace cairn::emulators {
namespace {

ResourceType Make(std::string group, std::string version, std::string plural, std::string kind,
                  bool namespaced, std::vector<std::string> short_names = {}) {
  ResourceType t;
  t.group = std::move(group);
  t.versions = {std::move(version)};
  t.plural = std::move(plural);
  t.kind = std::move(kind);
  t.singular = t.kind;
  for (char& c : t.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  t.namespaced = namespaced;
  t.short_names = std::move(short_names);
  return t;
}

}  // namespace

std::vector<ResourceType> BuiltinTypes() {
  std::vector<ResourceType> out;
  out.push_back(Make("", "v1", "namespaces", "Namespace", false, {"ns"}));
  out.push_back(Make("", "v1", "configmaps", "ConfigMap", true, {"cm"}));
  out.push_back(Make("", "v1", "secrets", "Secret", true));
  out.push_back(Make("", "v1", "services", "Service", true, {"svc"}));
  out.push_back(Make("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, {"pvc"}));
  out.push_back(Make("", "v1", "resourcequotas", "ResourceQuota", true, {"quota"}));
  out.push_back(Make("", "v1", "serviceaccounts", "ServiceAccount", true, {"sa"}));
  out.push_back(Make("", "v1", "nodes", "Node", false, {"no"}));
  ResourceType deploy = Make("apps", "v1", "deployments", "Deployment", true, {"deploy"});
  deploy.status_subresource = deploy.generation = true;
  out.push_back(deploy);
  ResourceType sts = Make("apps", "v1", "statefulsets", "StatefulSet", true, {"sts"});
  sts.status_subresource = sts.generation = true;
  out.push_back(sts);
  ResourceType ing = Make("networking.k8s.io", "v1", "ingresses", "Ingress", true, {"ing"});
  ing.status_subresource = ing.generation = true;
  out.push_back(ing);
  ResourceType crd = Make("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                          "CustomResourceDefinition", false, {"crd", "crds"});
  crd.status_subresource = crd.generation = true;
  out.push_back(crd);
  return out;
}

nlohmann::json ApiResourceList(const std::string& group_version,
                               const std::vector<const ResourceType*>& types) {
  nlohmann::json resources = nlohmann::json::array();
  for (const ResourceType* t : types) {
    nlohmann::json r = {
        {"name", t->plural},
        {"singularName", t->singular},
        {"namespaced", t->namespaced},
        {"kind", t->kind},
        {"verbs",
         {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}}};
    if (!t->short_names.empty()) r["shortNames"] = t->short_names;
    if (t->custom) r["categories"] = nlohmann::json::array();
    resources.push_back(r);
    if (t->status_subresource) {
      resources.push_back({{"name", t->plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", t->namespaced},
                           {"kind", t->kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  return {{"kind", "APIResourceList"},
          {"apiVersion", "v1"},
          {"groupVersion", group_version},
          {"resources", resources}};
}

nlohmann::json ApiGroup(const std::string& group, const std::vector<std::string>& versions) {
  nlohmann::json list = nlohmann::json::array();
  for (const std::string& v : versions)
    list.push_back({{"groupVersion", group + "/" + v}, {"version", v}});
  return {{"name", group},
          {"versions", list},
          {"preferredVersion",
           {{"groupVersion", group + "/" + versions.front()}, {"version", versions.front()}}}};
}

nlohmann::json OpenApiV3Document(const std::string& group_version,
                                 const std::vector<const ResourceType*>& types) {
  nlohmann::json paths = nlohmann::json::object();
  std::string prefix = group_version.find('/') == std::string::npos ? "/api/" : "/apis/";
  for (const ResourceType* t : types) {
    std::string group = t->group;
    std::string version = group_version.substr(group_version.find('/') + 1);
    std::string path = prefix + group_version + "/" +
                       (t->namespaced ? "namespaces/{namespace}/" : "") + t->plural + "/{name}";
    nlohmann::json param = {{"name", "fieldValidation"},
                            {"in", "query"},
                            {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
    nlohmann::json op = {{"operationId", "patch" + t->kind},
                         {"parameters", {param}},
                         {"x-kubernetes-action", "patch"},
                         {"x-kubernetes-group-version-kind",
                          {{"group", group}, {"version", version}, {"kind", t->kind}}},
                         {"responses", {{"200", {{"description", "OK"}}}}}};
    paths[path] = {{"patch", op}};
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.28.7"}}},
          {"paths", paths},
          {"components", {{"schemas", nlohmann::json::object()}}}};
}

}  // namespace cairn::emulators
