// Small helpers of the Kubernetes emulator: base64, uids, timestamps, gzip, finalizers.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace cairn::emulators {

std::string Base64Encode(const std::string& data);
/// nullopt when `text` is not valid base64.
std::optional<std::string> Base64Decode(const std::string& text);
/// A random RFC 4122 version 4 UUID.
std::string NewUid();
/// Current UTC time as RFC 3339 with seconds, e.g. "2024-05-01T12:00:00Z".
std::string NowRfc3339();
/// `n` random lowercase letters and digits (generateName suffixes).
std::string RandomSuffix(int n);
/// `data` as a gzip stream at level 1, the level kube-apiserver compresses responses with.
std::string GzipFast(const std::string& data);
/// True when the object's metadata.finalizers is a non-empty list (its deletion must wait).
bool HasFinalizers(const nlohmann::json& object);

}  // namespace cairn::emulators
