// Provider schemas: the attributes a resource type accepts, as a plugin declares them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/base/value.h"

namespace cairn::provider {

/// The type an attribute's value must have.
enum class AttrType { kAny, kString, kNumber, kBool, kList, kMap };

const char* AttrTypeName(AttrType t);
/// Parses "string"/"number"/"bool"/"list"/"map"/"any"; false for anything else.
bool ParseAttrType(const std::string& name, AttrType* out);
/// True when `v` (known) fits `t`; unknown values always fit.
bool ValueFitsType(const Value& v, AttrType t);

/// One attribute of a resource type or of a provider's configuration.
struct Attribute {
  std::string name;
  AttrType type = AttrType::kAny;
  bool required = false;   // must be set in the blueprint
  bool computed = false;   // set by the provider; the blueprint may leave it out
  bool force_new = false;  // a change replaces the resource
  bool sensitive = false;  // never shown in plans or logs
  Value default_value;     // used when the blueprint leaves the attribute out (null: none)
  std::string description;
};

/// A kind of resource a provider manages, e.g. "local.file".
struct ResourceType {
  std::string name;  // full type name: "<provider>.<type>"
  std::string description;
  std::map<std::string, Attribute> attributes;
  bool create_before_destroy = false;  // replace by creating the new object first
  bool has_read_all = false;
  /// The refresh calls read_all once per group of states whose ids share their parent (the id
  /// up to its last '/', e.g. one kind in one namespace), the groups at once, instead of once
  /// for the whole type.
  bool read_all_by_id_parent = false;
  bool has_plan = false;
  bool has_import = false;
  int version = 1;
  double timeout_seconds = 0;  // 0: the engine's default
};

/// Everything a provider declares about itself.
struct ProviderSchema {
  std::string name;
  std::string version;
  std::string description;
  std::string source;  // where it was loaded from, e.g. "plugins/local/provider.lua"
  std::map<std::string, Attribute> config;
  std::map<std::string, ResourceType> resources;  // keyed by full type name
  bool has_expand = false;
};

}  // namespace cairn::provider
