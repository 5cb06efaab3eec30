// LuaProvider::Expand: runs a plugin's expand(ctx, blueprint) and checks what it returns.
#include <algorithm>

#include "engine/base/edit_distance.h"
#include "engine/lua/convert.h"
#include "engine/lua/lazy_blueprint.h"
#include "engine/lua/lua_provider.h"
#include "engine/lua/lua_provider_internal.h"
#include "engine/lua/plugin_schema.h"

namespace cairn::lua {

Result<std::vector<provider::DesiredResource>> LuaProvider::Expand(const Value& blueprint) {
  std::vector<provider::DesiredResource> result;
  if (!schema_.has_expand) return result;
  Status s = EnsureConfigured();
  if (!s.ok()) return s;
  Lease lease;
  s = Acquire(&lease);
  if (!s.ok()) return s;
  Vm* vm = lease.p->vm.get();
  lua_State* L = vm->L();
  lua_rawgeti(L, LUA_REGISTRYINDEX, lease.p->plugin_ref);
  RawGet(L, -1, "expand");
  lua_remove(L, -2);
  int lazy_ref = LUA_NOREF;
  if (blueprint.is_map())
    lazy_ref = PushLazyMap(L, &blueprint);
  else
    PushValue(L, blueprint);
  vm->context().sensitive_values = lease.p->secrets;
  s = vm->Call(1, 1);
  vm->context().EndCall();
  if (lazy_ref != LUA_NOREF) DetachLazyMap(L, lazy_ref);
  if (!s.ok()) return s;
  Value list;
  std::string why;
  bool converted = ToValue(L, -1, &list, &why);
  lua_pop(L, 1);
  const std::string where = "expand";
  if (!converted) return Inconsistent(where, "expand returned a value that is not data: " + why);
  if (list.is_map() && list.size() == 0) list = Value::EmptyList();
  if (!list.is_list() && !list.is_null())
    return Inconsistent(where, std::string("expand returned ") + LuaTypeName(list) +
                                   ", expected a list of resources");
  if (list.is_null()) return result;
  std::vector<std::string> own_types;
  for (const auto& [n, rt] : schema_.resources) own_types.push_back(n);
  std::map<std::string, size_t> seen;
  size_t index = 0;
  for (const Value& item : list.AsList()) {
    ++index;
    std::string at = "resource #" + std::to_string(index);
    if (!item.is_map())
      return Inconsistent(where, at + " is " + LuaTypeName(item) + ", not a table");
    for (const auto& [key, v] : item.AsMap()) {
      static const std::vector<std::string> kFields = {"type",       "name", "attributes",
                                                       "depends_on", "at",   "attribute_at"};
      if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
        std::string dym = DidYouMean(key, kFields);
        return Inconsistent(
            where, at + " has unknown field '" + key + "'" + (dym.empty() ? "" : " (" + dym + ")"));
      }
    }
    const Value* type = item.Find("type");
    const Value* name = item.Find("name");
    if (type == nullptr || !type->is_string() || name == nullptr || !name->is_string())
      return Inconsistent(where, at + " needs string fields 'type' and 'name'");
    provider::DesiredResource r;
    r.type = type->AsString();
    if (r.type.find('.') == std::string::npos) r.type = schema_.name + "." + r.type;
    r.name = name->AsString();
    r.address = r.type + "." + r.name;
    std::string split_type;
    if (!provider::SplitAddress(r.address, &r.provider, &split_type, &r.name) ||
        split_type != r.type)
      return Inconsistent(where, at + " has the invalid address '" + r.address +
                                     "' (names use letters, digits, '_' and '-')");
    if (r.provider == schema_.name && schema_.resources.count(r.type) == 0) {
      std::string dym = DidYouMean(r.type, own_types);
      return Inconsistent(
          where, at + " has unknown type '" + r.type + "'" + (dym.empty() ? "" : " (" + dym + ")"));
    }
    if (!seen.emplace(r.address, index).second)
      return Inconsistent(where, at + " repeats the address " + r.address);
    const Value* attrs = item.Find("attributes");
    r.attributes = attrs == nullptr ? Value::EmptyMap() : *attrs;
    if (!r.attributes.is_map())
      return Inconsistent(where, at + " (" + r.address + "): attributes must be a table");
    if (const Value* deps = item.Find("depends_on")) {
      bool ok = deps->is_list() || (deps->is_map() && deps->size() == 0);
      if (deps->is_list())
        for (const Value& d : deps->AsList()) {
          ok = ok && d.is_string();
          if (d.is_string()) r.depends_on.push_back(d.AsString());
        }
      if (!ok)
        return Inconsistent(where, at + " (" + r.address +
                                       "): depends_on must be a list of "
                                       "addresses");
    }
    if (const Value* src = item.Find("at")) {
      if (!src->is_string())
        return Inconsistent(where, at + " (" + r.address + "): at must be a blueprint path");
      r.source_path = src->AsString();
    }
    if (const Value* srcs = item.Find("attribute_at")) {
      bool ok = srcs->is_map();
      if (ok)
        for (const auto& [attr, path] : srcs->AsMap()) {
          ok = ok && path.is_string();
          if (path.is_string()) r.attribute_sources[attr] = path.AsString();
        }
      if (!ok)
        return Inconsistent(where,
                            at + " (" + r.address + "): attribute_at must map attributes to paths");
    }
    r.loc = blueprint.loc;
    r.origin = "expanded by " + schema_.name;
    result.push_back(std::move(r));
  }
  return result;
}

}  // namespace cairn::lua
