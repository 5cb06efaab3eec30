// Conversion between Value and JSON text (nlohmann::json).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "engine/base/status.h"
#include "engine/base/value.h"

namespace cairn {

/// How unknown and sensitive values are written to JSON.
struct JsonOptions {
  /// Write unknown values as {"$unknown": origin} (for saved plans); otherwise as null.
  bool keep_unknown = false;
  /// Write sensitive values as "(sensitive)" instead of their content (for user-facing output).
  bool redact_sensitive = false;
};

nlohmann::json ToJson(const Value& v, const JsonOptions& opts = {});
/// Reads a JSON document; {"$unknown": origin} becomes an unknown value.
Value FromJson(const nlohmann::json& j);

/// Parses JSON text into a Value; a syntax error names the byte offset.
Result<Value> ParseJson(std::string_view text);
/// Serialises a Value; indent < 0 means compact.
std::string DumpJson(const Value& v, int indent = -1, const JsonOptions& opts = {});
/// Appends `v` to *out as DumpJson writes it when nested `depth` levels deep in a larger
/// document, so that parts of one document can be written apart (and side by side). Returns
/// false, leaving *out partly written, for a string that is not valid UTF-8: DumpJson of the
/// whole document owns the replacement rules for those.
bool AppendJson(const Value& v, int indent, int depth, std::string* out,
                const JsonOptions& opts = {});

}  // namespace cairn
