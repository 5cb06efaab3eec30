#include "engine/lua/convert.h"

#include <cmath>

#include "engine/lua/lazy_state.h"
#include "engine/lua/modules/json_lua.h"

namespace cairn::lua {
namespace {

constexpr int kMaxDepth = 100;

void PushUnknown(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, kUnknownKey) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, kUnknownKey);
  }
}

bool IsUnknown(lua_State* L, int index) {
  index = lua_absindex(L, index);
  if (lua_getfield(L, LUA_REGISTRYINDEX, kUnknownKey) != LUA_TTABLE) {
    lua_pop(L, 1);
    return false;
  }
  bool same = lua_rawequal(L, index, -1);
  lua_pop(L, 1);
  return same;
}

// Empty lists carry json.array's mark, so that they stay lists on the way back (and in JSON);
// an empty table without it is an empty map.
void MarkArray(lua_State* L) {
  EnsureJsonArrayMeta(L);
  lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  lua_setmetatable(L, -2);
}

bool IsMarkedArray(lua_State* L, int index) {
  if (!lua_getmetatable(L, index)) return false;
  lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  bool same = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  return same;
}

// Reads the table at `index` as a map, its first key and value already pushed by lua_next.
bool ToMap(lua_State* L, int index, Value* out, std::string* error, int depth) {
  Value::Map map;
  do {
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      *error = "table mixes string keys with non-string keys";
      return false;
    }
    size_t len = 0;
    const char* k = lua_tolstring(L, -2, &len);
    std::string key(k, len);
    Value item;
    if (!ToValue(L, -1, &item, error, depth + 1)) {
      lua_pop(L, 2);
      *error = key + ": " + *error;
      return false;
    }
    lua_pop(L, 1);
    map.emplace(std::move(key), std::move(item));
  } while (lua_next(L, index) != 0);
  *out = Value(std::move(map));
  return true;
}

}  // namespace

void PushValue(lua_State* L, const Value& v) {
  luaL_checkstack(L, 3, "value too deeply nested");
  switch (v.kind()) {
    case Value::Kind::kNull: lua_pushnil(L); break;
    case Value::Kind::kBool: lua_pushboolean(L, v.AsBool()); break;
    case Value::Kind::kInt: lua_pushinteger(L, v.AsInt()); break;
    case Value::Kind::kFloat: lua_pushnumber(L, v.AsNumber()); break;
    case Value::Kind::kString: lua_pushlstring(L, v.AsString().data(), v.AsString().size()); break;
    case Value::Kind::kUnknown: PushUnknown(L); break;
    case Value::Kind::kList: {
      const Value::List& list = v.AsList();
      lua_createtable(L, static_cast<int>(list.size()), 0);
      if (list.empty()) MarkArray(L);
      lua_Integer i = 1;
      for (const Value& item : list) {
        PushValue(L, item);
        lua_rawseti(L, -2, i++);
      }
      break;
    }
    case Value::Kind::kMap: {
      const Value::Map& map = v.AsMap();
      lua_createtable(L, 0, static_cast<int>(map.size()));
      for (const auto& [k, item] : map) {
        lua_pushlstring(L, k.data(), k.size());
        PushValue(L, item);
        lua_rawset(L, -3);
      }
      break;
    }
  }
}

bool ToValue(lua_State* L, int index, Value* out, std::string* error, int depth) {
  index = lua_absindex(L, index);
  switch (lua_type(L, index)) {
    case LUA_TNONE:
    case LUA_TNIL: *out = Value(); return true;
    case LUA_TBOOLEAN: *out = Value(lua_toboolean(L, index) != 0); return true;
    case LUA_TNUMBER:
      if (lua_isinteger(L, index))
        *out = Value(static_cast<int64_t>(lua_tointeger(L, index)));
      else
        *out = Value(static_cast<double>(lua_tonumber(L, index)));
      return true;
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      *out = Value(std::string(s, len));
      return true;
    }
    case LUA_TTABLE: break;
    default:
      *error = std::string("cannot convert a Lua ") + luaL_typename(L, index) + " to a value";
      return false;
  }
  if (IsUnknown(L, index)) {
    *out = Value::Unknown();
    return true;
  }
  if (!CompleteLazyState(L, index, error)) return false;
  if (depth > kMaxDepth || !lua_checkstack(L, 4)) {
    *error = "table nested too deeply";
    return false;
  }
  // A plain table whose first key is a string is a map (or an error): read it in one pass.
  if (!lua_getmetatable(L, index)) {
    lua_pushnil(L);
    if (lua_next(L, index) == 0) {
      *out = Value(Value::Map());
      return true;
    }
    if (lua_type(L, -2) == LUA_TSTRING) return ToMap(L, index, out, error, depth);
    lua_pop(L, 2);
  } else {
    lua_pop(L, 1);
  }
  // Is it a sequence 1..n?
  lua_Integer n = 0;
  bool sequence = true;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
      ++n;
    } else {
      sequence = false;
    }
  }
  if (sequence && n > 0) {
    Value::List list;
    list.reserve(static_cast<size_t>(n));
    for (lua_Integer i = 1; i <= n; ++i) {
      if (lua_rawgeti(L, index, i) == LUA_TNIL) {
        lua_pop(L, 1);
        *error = "list has a hole at index " + std::to_string(i);
        return false;
      }
      Value item;
      bool ok = ToValue(L, -1, &item, error, depth + 1);
      lua_pop(L, 1);
      if (!ok) {
        *error = "[" + std::to_string(i) + "]: " + *error;
        return false;
      }
      list.push_back(std::move(item));
    }
    *out = Value(std::move(list));
    return true;
  }
  if (n == 0 && IsMarkedArray(L, index)) {
    *out = Value::EmptyList();
    return true;
  }
  lua_pushnil(L);
  if (lua_next(L, index) == 0) {
    *out = Value(Value::Map());
    return true;
  }
  return ToMap(L, index, out, error, depth);
}

int RawNext(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  if (lua_next(L, 1) != 0) return 2;
  lua_pushnil(L);
  return 1;
}

}  // namespace cairn::lua
