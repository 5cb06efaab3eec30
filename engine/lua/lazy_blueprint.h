// The blueprint in Lua, converted only as far as a plugin reads it: ctx.blueprint (LazyBlueprint)
// and the argument of expand (PushLazyMap).
#pragma once

#include <cstdint>
#include <memory>

#include <lua.hpp>

#include "engine/base/value.h"

namespace cairn::lua {

/// The blueprint of one VM. Most calls never read ctx.blueprint, and converting a large
/// blueprint (a thousand manifests) into every VM of the pool costs more than the calls do.
struct LazyBlueprint {
  std::shared_ptr<const Value> source;  // what ctx.blueprint should be (set before each call)
  uint64_t source_version = 0;          // bumped by the provider whenever `source` changes
  int ref = LUA_REFNIL;                 // the converted table, kept across calls
  uint64_t version = 0;                 // which source_version `ref` holds
  int meta_ref = LUA_NOREF;             // ctx's metatable, whose __index converts on first read
};

/// Gives the ctx table on top of the stack its `blueprint`: set directly when this VM holds the
/// current one already, else through a metatable that converts it when first read.
void AttachBlueprint(lua_State* L, LazyBlueprint* lb);

/// Pushes the map `map` as a table whose top-level entries are converted when first read (all at
/// once by pairs), so that an expand reading bp.apps does not convert every manifest under
/// bp.resources. Returns a registry reference to the table for DetachLazyMap, which must run
/// before `map` goes away.
int PushLazyMap(lua_State* L, const Value* map);

/// Ends the lazy conversion of a PushLazyMap table (entries not read by then stay absent) and
/// frees the reference.
void DetachLazyMap(lua_State* L, int ref);

}  // namespace cairn::lua
