// How a plain YAML scalar becomes a typed Value (YAML 1.2 core schema), shared by both readers.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/value.h"

namespace cairn::blueprint {

/// Decimal, 0x hex or 0o octal integer; false when `s` is not one. Integers too large for
/// int64 become the string as written, so that no digit is lost.
bool ParseYamlInt(std::string_view s, Value* out);
/// A decimal or exponent float, or .inf / .nan in their YAML spellings; false when not one.
bool ParseYamlFloat(std::string_view s, Value* out);
/// YAML 1.2 core schema resolution of a plain (unquoted, untagged) scalar: null, bool, int,
/// float, else the string itself.
Value ResolvePlainScalar(const std::string& s);
/// True for the plain scalars the core schema reads as null ("", "~", "null", "Null", "NULL").
bool IsNullScalar(std::string_view s);

}  // namespace cairn::blueprint
