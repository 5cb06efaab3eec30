// Conversion between cairn Values and Lua values.
#pragma once

#include <string>

#include <lua.hpp>

#include "engine/base/value.h"

namespace cairn::lua {

/// Pushes `v` onto the stack: maps and lists become tables (empty lists marked with host.json's
/// array metatable, so that an empty list stays a list through Lua and json.encode), null becomes
/// nil, unknown becomes a shared sentinel table (cairn.unknown), sensitive strings stay plain
/// strings (the host tracks sensitivity by attribute schema). May raise a Lua memory error: call in
/// protected mode.
void PushValue(lua_State* L, const Value& v);

/// Reads the value at `index`. Tables with keys 1..n only become lists (an empty table becomes an
/// empty map unless it carries the array mark), other tables maps with string keys. Functions,
/// userdata, threads and non-string keys are errors (message in *error, which names the path).
/// Never raises.
bool ToValue(lua_State* L, int index, Value* out, std::string* error, int depth = 0);

/// next(t, k) without metamethods: the iterator that the __pairs of a lazily converted table
/// (a state's or the blueprint's) returns once it has converted what was missing.
int RawNext(lua_State* L);

/// Registry key of the unknown sentinel table.
inline constexpr const char* kUnknownKey = "cairn.unknown";

}  // namespace cairn::lua
