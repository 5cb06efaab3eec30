// LazyBlueprint: ctx.blueprint, converted into a VM only when a call reads it.
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

}  // namespace cairn::lua
