#include "engine/lua/lazy_state.h"

#include <string>

#include "engine/lua/convert.h"
#include "engine/lua/modules/json_lua.h"

namespace cairn::lua {
namespace {

// Registry keys: the metatable of lazy states, and the table (weak keys) from each state table
// still to convert to its Value (a light userdata), or to false once the loan has ended.
constexpr const char* kMetaKey = "cairn.lazy_state.meta";
constexpr const char* kPendingKey = "cairn.lazy_state.pending";

bool IsDeferred(const Value& v) { return v.is_map() || v.is_list(); }

// Pushes the pending table, creating it on first use.
void PushPending(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, kPendingKey) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kPendingKey);
}

// Converts the rest of the state table at index 1 (a no-op unless it is pending). Raises.
void Complete(lua_State* L) {
  PushPending(L);
  lua_pushvalue(L, 1);
  int t = lua_rawget(L, -2);
  if (t == LUA_TBOOLEAN)
    luaL_error(L,
               "a state given to read_all was read after read_all returned (keep what you "
               "need in your own tables while read_all runs)");
  if (t != LUA_TLIGHTUSERDATA) {
    lua_pop(L, 2);
    return;
  }
  const auto* state = static_cast<const Value*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  for (const auto& [key, v] : state->AsMap()) {
    if (!IsDeferred(v)) continue;
    lua_pushlstring(L, key.data(), key.size());
    if (lua_rawget(L, 1) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_pushlstring(L, key.data(), key.size());
      PushValue(L, v);
      lua_rawset(L, 1);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  lua_rawset(L, -3);  // done: from now on a plain table
  lua_pop(L, 1);
}

int StateIndex(lua_State* L) {
  Complete(L);
  lua_settop(L, 2);
  lua_rawget(L, 1);
  return 1;
}

int StateNewIndex(lua_State* L) {
  Complete(L);
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 0;
}

int StatePairs(lua_State* L) {
  Complete(L);
  lua_pushcfunction(L, RawNext);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

int CompleteProtected(lua_State* L) {
  Complete(L);
  return 0;
}

void PushMeta(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, kMetaKey) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, StateIndex);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, StateNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, StatePairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kMetaKey);
}

}  // namespace

void PushLazyStates(lua_State* L, const Value::List& states) {
  luaL_checkstack(L, 8, "read_all states");
  lua_createtable(L, static_cast<int>(states.size()), 0);
  if (states.empty()) {  // marked as PushValue marks an empty list
    EnsureJsonArrayMeta(L);
    lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
    lua_setmetatable(L, -2);
  }
  PushMeta(L);
  PushPending(L);
  lua_Integer i = 1;
  for (const Value& state : states) {
    if (!state.is_map()) {
      PushValue(L, state);
      lua_rawseti(L, -4, i++);
      continue;
    }
    bool deferred = false;
    lua_createtable(L, 0, static_cast<int>(state.size()));
    for (const auto& [key, v] : state.AsMap()) {
      if (IsDeferred(v)) {
        deferred = true;
        continue;
      }
      lua_pushlstring(L, key.data(), key.size());
      PushValue(L, v);
      lua_rawset(L, -3);
    }
    if (deferred) {
      lua_pushvalue(L, -3);  // the metatable
      lua_setmetatable(L, -2);
      lua_pushvalue(L, -1);
      lua_pushlightuserdata(L, const_cast<Value*>(&state));
      lua_rawset(L, -4);  // pending[t] = state
    }
    lua_rawseti(L, -4, i++);
  }
  lua_pop(L, 2);
}

void EndLazyStates(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, kPendingKey) != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TTABLE) {  // assigning an existing key keeps the traversal valid
      lua_pushvalue(L, -1);
      lua_pushboolean(L, 0);
      lua_rawset(L, -4);
    }
  }
  lua_pop(L, 1);
}

bool CompleteLazyState(lua_State* L, int index, std::string* error) {
  if (!lua_getmetatable(L, index)) return true;
  lua_getfield(L, LUA_REGISTRYINDEX, kMetaKey);
  bool lazy = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  if (!lazy) return true;
  index = lua_absindex(L, index);
  lua_pushcfunction(L, CompleteProtected);
  lua_pushvalue(L, index);
  if (lua_pcall(L, 1, 0, 0) == LUA_OK) return true;
  const char* msg = lua_tostring(L, -1);
  *error = msg != nullptr ? msg : "cannot convert a read_all state";
  lua_pop(L, 1);
  return false;
}

}  // namespace cairn::lua
