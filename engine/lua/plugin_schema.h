// Reading a plugin's declared schema, and checking values against schemas.
#pragma once

#include <map>
#include <string>

#include <lua.hpp>

#include "engine/base/status.h"
#include "engine/base/value.h"
#include "engine/lua/plugin_loader.h"
#include "engine/provider/schema.h"

namespace cairn::lua {

/// Reads the table provider.lua returned (at stack `index`) into `out`: name, version, api,
/// config schema, resource types with their flags and which optional functions exist. Errors
/// name the plugin file and, when the offending word can be found in `source`, its line.
Status ReadPluginSchema(lua_State* L, int index, const PluginInfo& info, const std::string& source,
                        provider::ProviderSchema* out);

/// Checks blueprint settings for a provider against its config schema (unknown keys, required
/// keys, types) and fills in defaults into *result. `insecure_endpoints` (a list of URL prefixes)
/// is accepted for every provider.
Status ApplyConfigSchema(const provider::ProviderSchema& schema, const Value& config,
                         Value* result);

/// The Lua-facing name of a value's type: "number" for integers and floats, "bool", "string",
/// "list", "map", "nil", "unknown".
const char* LuaTypeName(const Value& v);

/// Makes `v` fit `type` where Lua cannot tell: an empty table arrives as an empty map, which is
/// an empty list when the schema says list. Returns false when it does not fit.
bool NormalizeToType(Value* v, provider::AttrType type);

}  // namespace cairn::lua
