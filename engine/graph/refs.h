// References between resources inside string attribute values: "${local.file.a.sha256}".
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/base/diag.h"
#include "engine/base/source.h"
#include "engine/base/value.h"

namespace cairn::graph {

/// One `${provider.type.name.attr...}` found in an attribute value.
struct Reference {
  std::string text;     // what is inside ${...}: "local.file.a.sha256"
  std::string address;  // the referenced resource: "local.file.a"
  std::string path;     // inside its attributes: "sha256", "tags.name", "items[0]"
  SourceLoc loc;        // where the string holding the reference was written
};

/// Every reference in `attrs` (recursively), with the loc of the string that holds it; malformed
/// ones ("${}", unterminated, fewer than 4 segments) become diagnostics. `$${` is a literal `${`.
void FindReferences(const Value& attrs, std::vector<Reference>* out, Diagnostics* diags);

/// The references in one string, in order; false (with `error` set) when one is malformed.
bool ParseReferences(const std::string& s, std::vector<Reference>* out, std::string* error);

/// Replaces references using lookup(address) -> attributes of that resource (nullptr: not known
/// yet, so the reference becomes Value::Unknown(text)). A string that is exactly one reference
/// takes the referenced value's type; an interpolated string becomes a string (unknown if any part
/// is unknown). Sensitivity propagates. A path that does not exist in known attributes is an error
/// (the first one is returned through `error`; resolution carries on so every value is filled).
Value ResolveReferences(const Value& attrs,
                        const std::function<const Value*(const std::string&)>& lookup,
                        std::string* error);

/// The value at `path` ("tags.name", "items[0]") inside `root`; nullptr when absent. Stops at the
/// first unknown or sensitive value on the way, so the caller can see it.
const Value* FindPath(const Value& root, const std::string& path);

}  // namespace cairn::graph
