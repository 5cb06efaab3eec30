// Helpers for the Kubernetes emulator's tests: in-process requests with parsed JSON answers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tests/emulators/kube/kube_emulator.h"

namespace cairn::emulators {

/// A response with its body parsed.
struct Reply {
  int code = 0;
  nlohmann::json body;
  KubeResponse raw;
};

/// Sends one request straight to the emulator's core.
inline Reply Call(KubeEmulator* kube, const std::string& method, const std::string& path,
                  const std::string& body = "", const std::string& content_type = "",
                  std::map<std::string, std::string> query = {}) {
  KubeRequest r;
  r.method = method;
  r.path = path;
  r.body = body;
  r.content_type = content_type.empty() ? "application/json" : content_type;
  r.query = std::move(query);
  r.user_agent = "kube-test/1.0";
  Reply out;
  out.raw = kube->Handle(r);
  out.code = out.raw.code;
  out.body = nlohmann::json::parse(out.raw.body, nullptr, false);
  return out;
}

/// Server-side apply of `body` (YAML or JSON) as `manager`.
inline Reply ApplyAs(KubeEmulator* kube, const std::string& path, const std::string& body,
                     const std::string& manager, bool force = false) {
  std::map<std::string, std::string> q = {{"fieldManager", manager}};
  if (force) q["force"] = "true";
  return Call(kube, "PATCH", path, body, "application/apply-patch+yaml", q);
}

inline std::string Rv(const Reply& r) { return r.body["metadata"].value("resourceVersion", ""); }

}  // namespace cairn::emulators
