#include "engine/provider/schema.h"

namespace cairn::provider {

const char* AttrTypeName(AttrType t) {
  switch (t) {
    case AttrType::kAny: return "any";
    case AttrType::kString: return "string";
    case AttrType::kNumber: return "number";
    case AttrType::kBool: return "bool";
    case AttrType::kList: return "list";
    case AttrType::kMap: return "map";
  }
  return "?";
}

bool ParseAttrType(const std::string& name, AttrType* out) {
  static const std::pair<const char*, AttrType> kTypes[] = {
      {"any", AttrType::kAny},   {"string", AttrType::kString}, {"number", AttrType::kNumber},
      {"bool", AttrType::kBool}, {"list", AttrType::kList},     {"map", AttrType::kMap},
  };
  for (const auto& [n, t] : kTypes) {
    if (name == n) {
      *out = t;
      return true;
    }
  }
  return false;
}

bool ValueFitsType(const Value& v, AttrType t) {
  if (v.is_unknown() || v.is_null()) return true;
  switch (t) {
    case AttrType::kAny: return true;
    case AttrType::kString: return v.is_string();
    case AttrType::kNumber: return v.is_number();
    case AttrType::kBool: return v.is_bool();
    case AttrType::kList: return v.is_list();
    case AttrType::kMap: return v.is_map();
  }
  return false;
}

}  // namespace cairn::provider
