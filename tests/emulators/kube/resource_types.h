// The kinds an emulated API server serves, and the discovery documents that describe them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cairn::emulators {

/// One served resource type: where it lives, its names and what it supports.
struct ResourceType {
  std::string group;                  // "" for the core group
  std::vector<std::string> versions;  // served versions, preferred first
  std::string plural;
  std::string singular;
  std::string kind;
  std::vector<std::string> short_names;
  bool namespaced = true;
  bool status_subresource = false;  // writes to the main resource ignore .status
  bool generation = false;          // metadata.generation counts spec changes
  bool custom = false;              // served from a CustomResourceDefinition
  std::string crd_name;             // "<plural>.<group>" when custom

  std::string ApiVersion(const std::string& version) const {
    return group.empty() ? version : group + "/" + version;
  }
};

/// The built-in kinds: Namespace, ConfigMap, Secret, Service, PersistentVolumeClaim,
/// ResourceQuota, ServiceAccount, Node, Deployment, StatefulSet, Ingress,
/// CustomResourceDefinition.
std::vector<ResourceType> BuiltinTypes();

/// APIResourceList for one group/version ("v1" or "apps/v1").
nlohmann::json ApiResourceList(const std::string& group_version,
                               const std::vector<const ResourceType*>& types);
/// APIGroup entry (name, versions, preferredVersion) for `group`.
nlohmann::json ApiGroup(const std::string& group, const std::vector<std::string>& versions);

/// A minimal OpenAPI v3 document for one group/version: a PATCH operation per kind that
/// declares the fieldValidation parameter, which is what kubectl checks before it asks the
/// server to validate fields.
nlohmann::json OpenApiV3Document(const std::string& group_version,
                                 const std::vector<const ResourceType*>& types);

}  // namespace cairn::emulators
