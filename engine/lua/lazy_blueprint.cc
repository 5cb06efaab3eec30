#include "engine/lua/lazy_blueprint.h"

#include <cstring>

#include "engine/lua/convert.h"

namespace cairn::lua {
namespace {

// __index(ctx, key) of ctx: converts the blueprint on the first read of ctx.blueprint and stores
// it in ctx (so later reads in the call are plain field reads) and in the registry (for later
// calls). Raises only on running out of memory, leaving `ref` empty for the next call to retry.
int IndexCtx(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING || std::strcmp(lua_tostring(L, 2), "blueprint") != 0) return 0;
  auto* lb = static_cast<LazyBlueprint*>(lua_touserdata(L, lua_upvalueindex(1)));
  if (lb->ref == LUA_REFNIL || lb->version != lb->source_version) {
    luaL_unref(L, LUA_REGISTRYINDEX, lb->ref);
    lb->ref = LUA_REFNIL;
    if (lb->source)
      PushValue(L, *lb->source);
    else
      lua_pushnil(L);
    lb->ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lb->version = lb->source_version;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, lb->ref);
  lua_pushliteral(L, "blueprint");
  lua_pushvalue(L, -2);
  lua_rawset(L, 1);
  return 1;
}

}  // namespace

void AttachBlueprint(lua_State* L, LazyBlueprint* lb) {
  if (lb->ref != LUA_REFNIL && lb->version == lb->source_version) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, lb->ref);
    lua_setfield(L, -2, "blueprint");
    return;
  }
  if (lb->meta_ref == LUA_NOREF) {
    lua_createtable(L, 0, 1);
    lua_pushlightuserdata(L, lb);
    lua_pushcclosure(L, IndexCtx, 1);
    lua_setfield(L, -2, "__index");
    lb->meta_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, lb->meta_ref);
  lua_setmetatable(L, -2);
}

}  // namespace cairn::lua
