#include "engine/lua/lazy_blueprint.h"

#include <cstring>
#include <string>

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

// Converts map[key] into t (the table at index 1) unless it is there already; pushes it.
void ConvertEntry(lua_State* L, const Value* map, const std::string& key) {
  lua_pushlstring(L, key.data(), key.size());
  if (lua_rawget(L, 1) != LUA_TNIL) return;
  lua_pop(L, 1);
  const Value* v = map->Find(key);
  if (v == nullptr) {
    lua_pushnil(L);
    return;
  }
  PushValue(L, *v);
  lua_pushlstring(L, key.data(), key.size());
  lua_pushvalue(L, -2);
  lua_rawset(L, 1);
}

// __index(t, key) of a lazy map.
int IndexLazyMap(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  const auto* map = static_cast<const Value*>(lua_touserdata(L, lua_upvalueindex(1)));
  size_t len = 0;
  const char* key = lua_tolstring(L, 2, &len);
  if (map->Find(std::string(key, len)) == nullptr) return 0;
  ConvertEntry(L, map, std::string(key, len));
  return 1;
}

// __pairs(t) of a lazy map: converts what is missing, then iterates the plain table.
int PairsLazyMap(lua_State* L) {
  const auto* map = static_cast<const Value*>(lua_touserdata(L, lua_upvalueindex(1)));
  for (const auto& [key, v] : map->AsMap()) {
    ConvertEntry(L, map, key);
    lua_pop(L, 1);
  }
  lua_pushcfunction(L, RawNext);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

}  // namespace

int PushLazyMap(lua_State* L, const Value* map) {
  lua_createtable(L, 0, static_cast<int>(map->size()));
  lua_createtable(L, 0, 2);
  lua_pushlightuserdata(L, const_cast<Value*>(map));
  lua_pushcclosure(L, IndexLazyMap, 1);
  lua_setfield(L, -2, "__index");
  lua_pushlightuserdata(L, const_cast<Value*>(map));
  lua_pushcclosure(L, PairsLazyMap, 1);
  lua_setfield(L, -2, "__pairs");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

void DetachLazyMap(lua_State* L, int ref) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  lua_pushnil(L);
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
  luaL_unref(L, LUA_REGISTRYINDEX, ref);
}

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
