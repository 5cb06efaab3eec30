// A stored object with its JSON text, serialized once per write: GET, LIST and write responses
// copy these bytes instead of serializing the object again (as kube-apiserver's watch cache keeps
// serialized objects). Stored objects never change; a write stores a new one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cairn::emulators {

/// One object as stored, with its serializations (always those of `object`).
struct StoredObject {
  nlohmann::json object;
  std::string text;  // object.dump()
  std::string item;  // the same without apiVersion and kind: an item of a built-in kind's list
};

using StoredPtr = std::shared_ptr<const StoredObject>;

/// Serializes `object` (once) and wraps it for storing.
StoredPtr MakeStored(nlohmann::json object);

/// The object's JSON with apiVersion set to `api_version`, as GET and writes answer it: the
/// cached text when the stored apiVersion is that one.
std::string TextAs(const StoredObject& stored, const std::string& api_version);

/// A list's JSON as dump() writes it (keys sorted), from its items' cached text: each item whole
/// with apiVersion `api_version` when `full_items`, else without apiVersion and kind.
std::string ListText(const std::string& list_kind, const std::string& api_version,
                     const nlohmann::json& metadata, const std::vector<const StoredObject*>& items,
                     bool full_items);

/// Appends `value` to `out` as JSON, exactly as nlohmann::json::dump() writes it.
void AppendJson(const nlohmann::json& value, std::string* out);

}  // namespace cairn::emulators
