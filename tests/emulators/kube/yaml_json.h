// YAML and JSON request bodies and manifest files as nlohmann::json documents.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace cairn::emulators {

/// Parses one JSON or YAML document (JSON is YAML) into JSON; scalars follow the YAML 1.2 core
/// schema as sigs.k8s.io/yaml does for plain scalars (quoted scalars stay strings).
Result<nlohmann::json> ParseBody(const std::string& text);
/// Parses every document of a YAML stream; empty documents are skipped.
Result<std::vector<nlohmann::json>> ParseYamlDocuments(const std::string& text);

}  // namespace cairn::emulators
