// Compiled plugin chunks, shared by every VM of the process.
#pragma once

#include <cstddef>

#include <lua.hpp>

namespace cairn::lua {

/// Loads Lua source text like luaL_loadbufferx(L, text, len, name, "t"): pushes the chunk
/// function, or an error message and returns its status. Each VM of a plugin loads the same
/// files, and parsing them is most of a VM's start-up, so the first load of a (name, text) pair
/// is compiled and its bytecode kept for the life of the process; later loads of the same pair
/// read that bytecode. Only bytecode the host made from the exact text is ever loaded: plugins
/// still cannot load binary chunks. Thread-safe; never raises a Lua error.
int LoadSourceCached(lua_State* L, const char* text, size_t len, const char* name);

}  // namespace cairn::lua
