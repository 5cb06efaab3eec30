// What the API server does to built-in kinds on every write: defaults, derived fields and the
// validation a client is most likely to trip over.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/emulators/kube/api_status.h"
#include "tests/emulators/kube/resource_types.h"

namespace cairn::emulators {

/// Fills defaults and derived fields of a built-in object about to be stored. `old` is the
/// stored object on update (null on create); `next_ip` hands out Service cluster IPs.
void DefaultBuiltin(const ResourceType& type, const nlohmann::json& old, nlohmann::json* object,
                    int* next_ip);

/// Field errors of a built-in object (name format, required fields); empty when valid.
std::vector<StatusCause> ValidateBuiltin(const ResourceType& type, const nlohmann::json& object);

/// Checks metadata.name: an RFC 1123 label (Namespaces, Services) or subdomain (the rest).
std::vector<StatusCause> ValidateName(const ResourceType& type, const std::string& name);

}  // namespace cairn::emulators
