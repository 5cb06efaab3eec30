// Kubernetes Status bodies (metav1.Status) for errors and some successful deletes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/emulators/kube/kube_emulator.h"

namespace cairn::emulators {

/// One field-level reason inside details.causes (JSON keys: reason, message, field).
struct StatusCause {
  std::string reason;  // FieldValueInvalid, FieldValueRequired, FieldManagerConflict, ...
  std::string message;
  std::string field;
};

/// A response with a Status body; `details` is omitted when null.
KubeResponse StatusResponse(int code, const std::string& reason, const std::string& message,
                            nlohmann::json details = nullptr);
/// "configmaps" or "deployments.apps": how errors name a resource type.
std::string QualifiedResource(const std::string& resource, const std::string& group);

KubeResponse NotFound(const std::string& group, const std::string& resource,
                      const std::string& name);
/// 404 for a path that names no served resource type (e.g. a CRD that is not Established).
KubeResponse UnknownResource();
KubeResponse AlreadyExists(const std::string& group, const std::string& resource,
                           const std::string& name);
/// 409 for a write based on a stale resourceVersion.
KubeResponse StaleConflict(const std::string& group, const std::string& resource,
                           const std::string& name);
/// 422 Invalid: `kind` is the Kind (not the plural); causes carry field paths.
KubeResponse Invalid(const std::string& group, const std::string& kind, const std::string& name,
                     const std::vector<StatusCause>& causes);
KubeResponse BadRequest(const std::string& message);
KubeResponse MethodNotAllowed();
KubeResponse UnsupportedMediaType(const std::string& content_type);
/// 410 Expired for a continue token that is no longer (or never was) valid.
KubeResponse ExpiredContinue();
KubeResponse Unauthorized();
/// 429, 500, 503 or 504 as a service under load would answer.
KubeResponse Unavailable(int code, int retry_after_seconds);
/// 200 Status Success that deletes of most built-in kinds return.
KubeResponse DeleteSuccess(const std::string& group, const std::string& resource,
                           const std::string& name, const std::string& uid);

/// Builds the field error texts Kubernetes uses (field.Error.ErrorBody()).
std::string InvalidValueBody(const nlohmann::json& value, const std::string& detail);
std::string NotSupportedBody(const nlohmann::json& value, const std::vector<std::string>& valid);

}  // namespace cairn::emulators
