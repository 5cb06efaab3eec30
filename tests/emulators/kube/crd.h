// CustomResourceDefinitions: checking them, serving their kinds and validating custom objects
// against the served version's openAPIV3Schema (with the engine's JsonSchema validator).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/blueprint/json_schema.h"
#include "tests/emulators/kube/api_status.h"
#include "tests/emulators/kube/resource_types.h"

namespace cairn::emulators {

/// What serving one CRD needs: its resource type and a compiled schema per served version.
struct CrdServing {
  ResourceType type;
  std::map<std::string, nlohmann::json> schemas;  // version -> openAPIV3Schema
  std::map<std::string, std::shared_ptr<blueprint::JsonSchema>> compiled;
  std::set<std::string> status_versions;  // versions with the status subresource
};

/// Checks a CustomResourceDefinition as the API server's validation does (names, scope,
/// versions, storage version, schemas) and prepares it for serving. On failure returns null and
/// fills `causes`.
std::shared_ptr<CrdServing> CompileCrd(const nlohmann::json& crd, std::vector<StatusCause>* causes);

/// Validates a custom object against the schema of `version`; each problem becomes a cause with
/// the field path ("spec.replicas") and reason FieldValueRequired, FieldValueNotSupported,
/// FieldValueTypeInvalid or FieldValueInvalid.
std::vector<StatusCause> ValidateCustomObject(const CrdServing& crd, const std::string& version,
                                              const nlohmann::json& object);

/// Drops the fields the schema does not declare (x-kubernetes-preserve-unknown-fields keeps them)
/// and non-standard metadata fields; appends the dotted paths of what was dropped.
void PruneCustomObject(const CrdServing& crd, const std::string& version, nlohmann::json* object,
                       std::vector<std::string>* dropped);

}  // namespace cairn::emulators
