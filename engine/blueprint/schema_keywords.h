// The JSON Schema keywords the schema checker reads, so that it can find a schema object's
// keywords once instead of looking each one up for every value checked against it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "engine/base/value.h"

namespace cairn::blueprint::schema_keywords {

// The keywords Checker reads, indexed so that each schema object's are looked up once.
enum Keyword : uint8_t {
  kRef,
  kAdditionalItems,
  kAdditionalProperties,
  kAllOf,
  kAnyOf,
  kConst,
  kContains,
  kDependentRequired,
  kElse,
  kEnum,
  kExclusiveMaximum,
  kExclusiveMinimum,
  kFormat,
  kIf,
  kItems,
  kMaxItems,
  kMaxLength,
  kMaxProperties,
  kMaximum,
  kMinItems,
  kMinLength,
  kMinProperties,
  kMinimum,
  kMultipleOf,
  kNot,
  kNullable,
  kOneOf,
  kPattern,
  kPatternProperties,
  kPrefixItems,
  kProperties,
  kPropertyNames,
  kRequired,
  kThen,
  kType,
  kUniqueItems,
  kXCairnExpected,
  kXCairnHint,
  kXKubernetesIntOrString,
  kKeywordCount
};

inline constexpr std::string_view kKeywordNames[kKeywordCount] = {
    "$ref",
    "additionalItems",
    "additionalProperties",
    "allOf",
    "anyOf",
    "const",
    "contains",
    "dependentRequired",
    "else",
    "enum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "format",
    "if",
    "items",
    "maxItems",
    "maxLength",
    "maxProperties",
    "maximum",
    "minItems",
    "minLength",
    "minProperties",
    "minimum",
    "multipleOf",
    "not",
    "nullable",
    "oneOf",
    "pattern",
    "patternProperties",
    "prefixItems",
    "properties",
    "propertyNames",
    "required",
    "then",
    "type",
    "uniqueItems",
    "x-cairn-expected",
    "x-cairn-hint",
    "x-kubernetes-int-or-string",
};

// The index of keyword `name`, or -1 for a key Checker does not read (title, description...).
inline int KeywordIndex(std::string_view name) {
  static const std::unordered_map<std::string_view, int> kIndex = [] {
    std::unordered_map<std::string_view, int> m;
    for (int i = 0; i < kKeywordCount; ++i) m.emplace(kKeywordNames[i], i);
    return m;
  }();
  auto it = kIndex.find(name);
  return it == kIndex.end() ? -1 : it->second;
}

/// The keywords present in one schema object.
using KeywordTable = std::array<const Value*, kKeywordCount>;

}  // namespace cairn::blueprint::schema_keywords
