// A JSON Schema (2020-12 subset, plus OpenAPI v3 habits) validator over Value trees.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/base/diag.h"
#include "engine/base/value.h"
#include "engine/blueprint/key_locations.h"
#include "engine/blueprint/schema_pattern.h"

namespace cairn::blueprint {

/// A schema prepared for repeated validation: its regular expressions are compiled once, so
/// Validate is cheap, const and safe to call from several threads. With Patterns::kOnFirstUse a
/// pattern is compiled when an instance first reaches it instead: a large schema of which a run
/// uses a few patterns then starts fast, but an invalid pattern is silently not checked, so use
/// it only for schemas whose patterns are known good (the embedded one, tested eagerly).
///
/// Supported: type (with "integer" and type lists), properties, required, additionalProperties
/// (bool or schema), patternProperties, propertyNames, min/maxProperties, dependentRequired,
/// items, prefixItems (and draft-7 array-form items/additionalItems), contains, min/maxItems,
/// uniqueItems, enum, const, pattern, min/maxLength, minimum/maximum, exclusiveMinimum/Maximum
/// (number or OpenAPI boolean form), multipleOf, allOf/anyOf/oneOf, not, if/then/else, $ref
/// to JSON pointers inside the schema ("#/$defs/x", "#/definitions/x"), format (see
/// formats.h), boolean schemas, OpenAPI `nullable`. Annotations (title, description, default,
/// examples, x-kubernetes-*, ...) are ignored. Two extension keywords improve messages:
/// `x-cairn-hint` supplies the hint for errors raised by the schema object it sits in (except
/// wrong types), and `x-cairn-expected` replaces "does not match the pattern ..." with
/// "expected <its text>".
///
/// Unknown values (known only after apply) are accepted anywhere. Sensitive values are checked
/// like any other but their content never appears in a message.
class JsonSchema {
 public:
  enum class Patterns { kUpFront, kOnFirstUse };
  explicit JsonSchema(Value schema, Patterns patterns = Patterns::kUpFront);
  ~JsonSchema();
  JsonSchema(const JsonSchema&) = delete;
  JsonSchema& operator=(const JsonSchema&) = delete;

  /// Problems with the schema itself (an invalid regular expression); empty when usable.
  const Diagnostics& schema_problems() const { return schema_problems_; }
  const Value& schema() const { return schema_; }

  /// Appends one error per problem in `instance`, sorted by source position. Each names the
  /// path below `root_path` (e.g. "apps[2].volumes[0].tier"), what was expected and, where
  /// one fits, a did-you-mean hint. `key_locs` (optional) lets errors about a key point at it.
  void Validate(const Value& instance, const std::string& root_path, Diagnostics* diags,
                const KeyLocations* key_locs = nullptr) const;

  /// A compiled pattern; nullptr when `pattern` was not in the schema or did not compile.
  const SchemaPattern* FindRegex(const std::string& pattern) const;

 private:
  /// One pattern of the schema; `compiled` stays null until compiled (or when invalid).
  struct Pattern {
    std::unique_ptr<SchemaPattern> compiled;
    bool tried = false;
  };

  void CollectPatterns(const Value& node);
  void AddPattern(const std::string& pattern, const Value& where);
  /// Compiles `p` if not tried yet; false with `error` set when the pattern is invalid.
  static bool Compile(const std::string& text, Pattern* p, std::string* error);

  Value schema_;
  Patterns mode_;
  mutable std::mutex mu_;  // guards compilation in kOnFirstUse mode
  mutable std::unordered_map<std::string, Pattern> regexes_;
  Diagnostics schema_problems_;
};

/// Validates `instance` against `schema` (both Values), appending diagnostics with the instance
/// node's loc, the path ("apps[2].volumes[0].tier"), what was expected, and a did-you-mean hint
/// where one fits. Compiles the schema on every call; keep a JsonSchema to validate many times.
void ValidateJsonSchema(const Value& instance, const Value& schema, const std::string& root_path,
                        Diagnostics* diags);

/// Renders a map key into a path: "apps" -> "apps", "local.file.a" -> ["local.file.a"].
std::string PathForKey(const std::string& parent, std::string_view key);

}  // namespace cairn::blueprint
