// The recorded states read_all receives, converted into Lua only as far as the plugin reads them.
#pragma once

#include <string>

#include <lua.hpp>

#include "engine/base/value.h"

namespace cairn::lua {

/// Pushes `states` (the recorded attribute maps of a read_all) as a Lua list of tables. A state's
/// scalar attributes (id, versions, flags) are set at once; its map and list attributes (a whole
/// manifest) are converted when the plugin first reads an attribute the table lacks, writes a new
/// one or iterates it with pairs, since a refresh that finds an object unchanged reads only its
/// id and version. Until then rawget and next do not see them; host functions that take tables
/// convert them first (CompleteLazyState). May raise a memory error: call in protected mode, or
/// where allocation cannot fail.
void PushLazyStates(lua_State* L, const Value::List& states);

/// Ends the loan of the states pushed since the last call: reading an attribute that was not
/// converted by then raises an error naming the misuse, instead of reading freed memory. Call
/// after the results are converted and before `states` change.
void EndLazyStates(lua_State* L);

/// Converts what is left of the lazy state at `index` (nothing for any other value), so that
/// code iterating the table raw sees every attribute. Never raises: returns false with the
/// message in *error on a memory error or for a state whose loan has ended.
bool CompleteLazyState(lua_State* L, int index, std::string* error);

}  // namespace cairn::lua
