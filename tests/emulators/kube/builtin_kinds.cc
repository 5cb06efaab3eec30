#include "tests/emulators/kube/builtin_kinds.h"

#include "tests/emulators/kube/kube_util.h"

namespace cairn::emulators {
namespace {

void SetDefault(nlohmann::json* obj, const char* key, nlohmann::json value) {
  if (!obj->contains(key) || (*obj)[key].is_null()) (*obj)[key] = std::move(value);
}

void DefaultPodTemplate(nlohmann::json* spec) {
  nlohmann::json& pod = (*spec)["template"]["spec"];
  if (!pod.is_object()) return;
  SetDefault(&pod, "restartPolicy", "Always");
  SetDefault(&pod, "terminationGracePeriodSeconds", 30);
  SetDefault(&pod, "dnsPolicy", "ClusterFirst");
  SetDefault(&pod, "schedulerName", "default-scheduler");
  SetDefault(&pod, "securityContext", nlohmann::json::object());
  for (const char* list : {"containers", "initContainers"}) {
    if (!pod.contains(list) || !pod[list].is_array()) continue;
    for (nlohmann::json& c : pod[list]) {
      std::string image = c.value("image", "");
      bool latest =
          image.find(':') == std::string::npos || image.substr(image.rfind(':')) == ":latest";
      SetDefault(&c, "imagePullPolicy", latest ? "Always" : "IfNotPresent");
      SetDefault(&c, "terminationMessagePath", "/dev/termination-log");
      SetDefault(&c, "terminationMessagePolicy", "File");
      SetDefault(&c, "resources", nlohmann::json::object());
      if (c.contains("ports") && c["ports"].is_array())
        for (nlohmann::json& p : c["ports"]) SetDefault(&p, "protocol", "TCP");
    }
  }
}

void Required(std::vector<StatusCause>* out, const std::string& field) {
  out->push_back({"FieldValueRequired", "Required value", field});
}

const nlohmann::json* Get(const nlohmann::json& obj, std::initializer_list<const char*> path) {
  const nlohmann::json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object() || !cur->contains(key)) return nullptr;
    cur = &(*cur)[key];
  }
  return cur;
}

bool Empty(const nlohmann::json* j) { return !j || j->is_null() || (j->is_array() && j->empty()); }

// name[begin, end) matches [a-z0-9]([-a-z0-9]*[a-z0-9])? (an RFC 1123 label).
bool IsDnsLabel(const std::string& name, size_t begin, size_t end) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (begin >= end || !alnum(name[begin]) || !alnum(name[end - 1])) return false;
  for (size_t i = begin; i < end; ++i)
    if (!alnum(name[i]) && name[i] != '-') return false;
  return true;
}

// name matches [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*: labels and dots.
bool IsDnsSubdomain(const std::string& name) {
  size_t begin = 0;
  while (true) {
    size_t dot = name.find('.', begin);
    size_t end = dot == std::string::npos ? name.size() : dot;
    if (!IsDnsLabel(name, begin, end)) return false;
    if (dot == std::string::npos) return true;
    begin = dot + 1;
  }
}

}  // namespace

void DefaultBuiltin(const ResourceType& type, const nlohmann::json& old, nlohmann::json* object,
                    int* next_ip) {
  nlohmann::json& meta = (*object)["metadata"];
  const std::string& kind = type.kind;
  if (kind == "Namespace") {
    meta["labels"]["kubernetes.io/metadata.name"] = meta.value("name", "");
    (*object)["spec"]["finalizers"] = {"kubernetes"};
    (*object)["status"] = {{"phase", "Active"}};
  } else if (kind == "Secret") {
    SetDefault(object, "type", "Opaque");
    if (object->contains("stringData") && (*object)["stringData"].is_object()) {
      for (auto it = (*object)["stringData"].begin(); it != (*object)["stringData"].end(); ++it)
        if (it->is_string()) (*object)["data"][it.key()] = Base64Encode(it->get<std::string>());
      object->erase("stringData");
    }
  } else if (kind == "Service") {
    nlohmann::json& spec = (*object)["spec"];
    SetDefault(&spec, "type", "ClusterIP");
    SetDefault(&spec, "sessionAffinity", "None");
    SetDefault(&spec, "internalTrafficPolicy", "Cluster");
    SetDefault(&spec, "ipFamilies", {"IPv4"});
    SetDefault(&spec, "ipFamilyPolicy", "SingleStack");
    const nlohmann::json* old_ip = old.is_null() ? nullptr : Get(old, {"spec", "clusterIP"});
    if (!spec.contains("clusterIP")) {
      if (old_ip) {
        spec["clusterIP"] = *old_ip;
      } else {
        int n = (*next_ip)++;
        spec["clusterIP"] = "10.43." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 2);
      }
    }
    if (spec["clusterIP"].is_string() && spec["clusterIP"] != "None")
      spec["clusterIPs"] = {spec["clusterIP"]};
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (nlohmann::json& p : spec["ports"]) {
        SetDefault(&p, "protocol", "TCP");
        if (p.contains("port")) SetDefault(&p, "targetPort", p["port"]);
      }
    }
    SetDefault(object, "status", {{"loadBalancer", nlohmann::json::object()}});
  } else if (kind == "PersistentVolumeClaim") {
    SetDefault(&(*object)["spec"], "volumeMode", "Filesystem");
    SetDefault(object, "status", {{"phase", "Pending"}});
  } else if (kind == "Deployment") {
    nlohmann::json& spec = (*object)["spec"];
    SetDefault(&spec, "replicas", 1);
    SetDefault(&spec, "revisionHistoryLimit", 10);
    SetDefault(&spec, "progressDeadlineSeconds", 600);
    SetDefault(&spec, "strategy",
               {{"type", "RollingUpdate"},
                {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}});
    DefaultPodTemplate(&spec);
  } else if (kind == "StatefulSet") {
    nlohmann::json& spec = (*object)["spec"];
    SetDefault(&spec, "replicas", 1);
    SetDefault(&spec, "revisionHistoryLimit", 10);
    SetDefault(&spec, "podManagementPolicy", "OrderedReady");
    SetDefault(&spec, "updateStrategy",
               {{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 0}}}});
    DefaultPodTemplate(&spec);
  }
}

std::vector<StatusCause> ValidateName(const ResourceType& type, const std::string& name) {
  std::vector<StatusCause> out;
  if (type.custom) return out;  // custom resources only need a valid path segment
  bool label = type.kind == "Namespace" || type.kind == "Service";
  if (label && (name.size() > 63 || !IsDnsLabel(name, 0, name.size()))) {
    out.push_back({"FieldValueInvalid",
                   InvalidValueBody(name,
                                    "a lowercase RFC 1123 label must consist of lower case "
                                    "alphanumeric characters or '-', and must start and end with "
                                    "an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                                    "regex used for validation is "
                                    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
                   "metadata.name"});
  } else if (!label && (name.size() > 253 || !IsDnsSubdomain(name))) {
    out.push_back(
        {"FieldValueInvalid",
         InvalidValueBody(name,
                          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                          "characters, '-' or '.', and must start and end with an alphanumeric "
                          "character (e.g. 'example.com', regex used for validation is "
                          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
         "metadata.name"});
  }
  return out;
}

std::vector<StatusCause> ValidateBuiltin(const ResourceType& type, const nlohmann::json& object) {
  std::vector<StatusCause> out;
  const std::string& kind = type.kind;
  if (kind == "Deployment" || kind == "StatefulSet") {
    const nlohmann::json* selector = Get(object, {"spec", "selector"});
    if (Empty(selector)) Required(&out, "spec.selector");
    if (Empty(Get(object, {"spec", "template", "spec", "containers"})))
      Required(&out, "spec.template.spec.containers");
    const nlohmann::json* match = Get(object, {"spec", "selector", "matchLabels"});
    const nlohmann::json* labels = Get(object, {"spec", "template", "metadata", "labels"});
    if (match && match->is_object()) {
      bool ok = labels && labels->is_object();
      for (auto it = match->begin(); ok && it != match->end(); ++it)
        ok = labels->contains(it.key()) && (*labels)[it.key()] == *it;
      if (!ok)
        out.push_back({"FieldValueInvalid",
                       InvalidValueBody(labels ? *labels : nlohmann::json(nullptr),
                                        "`selector` does not match template `labels`"),
                       "spec.template.metadata.labels"});
    }
    const nlohmann::json* replicas = Get(object, {"spec", "replicas"});
    if (replicas && replicas->is_number_integer() && replicas->get<int64_t>() < 0)
      out.push_back({"FieldValueInvalid",
                     InvalidValueBody(*replicas, "must be greater than or equal to 0"),
                     "spec.replicas"});
  } else if (kind == "Service") {
    std::string t = object.contains("spec") ? object["spec"].value("type", "ClusterIP") : "";
    if (t != "ExternalName" && Empty(Get(object, {"spec", "ports"}))) Required(&out, "spec.ports");
  } else if (kind == "PersistentVolumeClaim") {
    if (Empty(Get(object, {"spec", "accessModes"}))) {
      out.push_back({"FieldValueRequired", "Required value: at least 1 access mode is required",
                     "spec.accessModes"});
    }
    if (Empty(Get(object, {"spec", "resources", "requests", "storage"})))
      Required(&out, "spec.resources[storage]");
  } else if (kind == "Ingress") {
    if (Empty(Get(object, {"spec", "rules"})) && Empty(Get(object, {"spec", "defaultBackend"})))
      out.push_back({"FieldValueInvalid",
                     "Invalid value: \"object\": either `defaultBackend` or `rules` must be "
                     "specified",
                     "spec"});
  }
  return out;
}

}  // namespace cairn::emulators
