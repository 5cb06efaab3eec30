#include "tests/emulators/kube/api_status.h"

namespace cairn::emulators {

KubeResponse StatusResponse(int code, const std::string& reason, const std::string& message,
                            nlohmann::json details) {
  nlohmann::json s = {{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", nlohmann::json::object()},
                      {"status", code < 400 ? "Success" : "Failure"},
                      {"code", code}};
  if (!message.empty()) s["message"] = message;
  if (!reason.empty()) s["reason"] = reason;
  if (!details.is_null()) s["details"] = std::move(details);
  KubeResponse r;
  r.code = code;
  r.body = s.dump();
  return r;
}

std::string QualifiedResource(const std::string& resource, const std::string& group) {
  return group.empty() ? resource : resource + "." + group;
}

namespace {

nlohmann::json Details(const std::string& group, const std::string& kind, const std::string& name) {
  nlohmann::json d = nlohmann::json::object();
  if (!name.empty()) d["name"] = name;
  if (!group.empty()) d["group"] = group;
  if (!kind.empty()) d["kind"] = kind;
  return d;
}

}  // namespace

KubeResponse NotFound(const std::string& group, const std::string& resource,
                      const std::string& name) {
  return StatusResponse(404, "NotFound",
                        QualifiedResource(resource, group) + " \"" + name + "\" not found",
                        Details(group, resource, name));
}

KubeResponse UnknownResource() {
  return StatusResponse(404, "NotFound", "the server could not find the requested resource",
                        nlohmann::json::object());
}

KubeResponse AlreadyExists(const std::string& group, const std::string& resource,
                           const std::string& name) {
  return StatusResponse(409, "AlreadyExists",
                        QualifiedResource(resource, group) + " \"" + name + "\" already exists",
                        Details(group, resource, name));
}

KubeResponse StaleConflict(const std::string& group, const std::string& resource,
                           const std::string& name) {
  return StatusResponse(409, "Conflict",
                        "Operation cannot be fulfilled on " + QualifiedResource(resource, group) +
                            " \"" + name +
                            "\": the object has been modified; please apply your changes to the "
                            "latest version and try again",
                        Details(group, resource, name));
}

KubeResponse Invalid(const std::string& group, const std::string& kind, const std::string& name,
                     const std::vector<StatusCause>& causes) {
  nlohmann::json details = Details(group, kind, name);
  nlohmann::json list = nlohmann::json::array();
  std::string all;
  for (size_t i = 0; i < causes.size(); ++i) {
    const StatusCause& c = causes[i];
    nlohmann::json j = {{"reason", c.reason}, {"message", c.message}};
    if (!c.field.empty()) j["field"] = c.field;
    list.push_back(j);
    if (i) all += ", ";
    all += c.field.empty() ? c.message : c.field + ": " + c.message;
  }
  details["causes"] = list;
  if (causes.size() > 1) all = "[" + all + "]";
  std::string qualified = group.empty() ? kind : kind + "." + group;
  return StatusResponse(422, "Invalid", qualified + " \"" + name + "\" is invalid: " + all,
                        details);
}

KubeResponse BadRequest(const std::string& message) {
  return StatusResponse(400, "BadRequest", message);
}

KubeResponse MethodNotAllowed() {
  return StatusResponse(405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource",
                        nlohmann::json::object());
}

KubeResponse UnsupportedMediaType(const std::string& content_type) {
  return StatusResponse(415, "UnsupportedMediaType",
                        "the body of the request was in an unknown format - accepted media types "
                        "include: application/json-patch+json, application/merge-patch+json, "
                        "application/apply-patch+yaml");
}

KubeResponse ExpiredContinue() {
  return StatusResponse(
      410, "Expired",
      "The provided continue parameter is too old to display a consistent list result. You can "
      "start a new list without the continue parameter, or use the continue token in this "
      "response to retrieve the remainder of the results. Continuing with the provided token "
      "results in an inconsistent list - objects that were created, modified, or deleted "
      "between the time the first chunk was returned and now may show up in the list.");
}

KubeResponse Unauthorized() { return StatusResponse(401, "Unauthorized", "Unauthorized"); }

KubeResponse Unavailable(int code, int retry_after_seconds) {
  std::string reason = "InternalError", message = "Internal error occurred: injected failure";
  if (code == 429) {
    reason = "TooManyRequests";
    message = "Too many requests, please try again later.";
  } else if (code == 503) {
    reason = "ServiceUnavailable";
    message = "the server is currently unable to handle the request";
  } else if (code == 504) {
    reason = "Timeout";
    message = "Timeout: request did not complete within the allowed duration";
  }
  nlohmann::json details = nlohmann::json::object();
  if (retry_after_seconds > 0) details["retryAfterSeconds"] = retry_after_seconds;
  KubeResponse r = StatusResponse(code, reason, message, details);
  if (retry_after_seconds > 0)
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_seconds));
  return r;
}

KubeResponse DeleteSuccess(const std::string& group, const std::string& resource,
                           const std::string& name, const std::string& uid) {
  nlohmann::json details = Details(group, resource, name);
  details["uid"] = uid;
  return StatusResponse(200, "", "", details);
}

std::string InvalidValueBody(const nlohmann::json& value, const std::string& detail) {
  std::string shown = value.is_object() || value.is_array() ? "\"object\"" : value.dump();
  return "Invalid value: " + shown + (detail.empty() ? "" : ": " + detail);
}

std::string NotSupportedBody(const nlohmann::json& value, const std::vector<std::string>& valid) {
  std::string out = "Unsupported value: " + value.dump();
  if (!valid.empty()) {
    out += ": supported values: ";
    for (size_t i = 0; i < valid.size(); ++i) out += (i ? ", " : "") + valid[i];
  }
  return out;
}

}  // namespace cairn::emulators
