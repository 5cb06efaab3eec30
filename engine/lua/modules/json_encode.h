// json.encode without a document: Lua values written straight to JSON text.
#pragma once

#include <string>

#include <lua.hpp>

namespace cairn::lua {

/// Writes the Lua value at `index` as JSON text into *out: byte for byte what LuaToJson followed by
/// nlohmann's dump(indent) writes (keys sorted, the same escapes and number forms; indent < 0
/// compact), without building the document. Returns false for anything that path refuses (a
/// function, a mixed table, a string that is not UTF-8, ...) and for a table too large to sort on
/// the Lua stack: the caller then encodes through LuaToJson and nlohmann, which word the error.
/// Allocates nothing in Lua, so it never raises.
bool EncodeLuaJson(lua_State* L, int index, int indent, std::string* out);

}  // namespace cairn::lua
