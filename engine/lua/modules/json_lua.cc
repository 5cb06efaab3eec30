#include "engine/lua/modules/json_lua.h"

#include <cmath>

#include "engine/lua/convert.h"
#include "engine/lua/lazy_state.h"

namespace cairn::lua {
namespace {

// The address of this object is the null sentinel; its value is never read.
const char kNullSentinel = 0;
constexpr int kMaxDepth = kJsonMaxDepth;

bool IsUnknownValue(lua_State* L, int index) {
  index = lua_absindex(L, index);
  bool same = false;
  if (lua_getfield(L, LUA_REGISTRYINDEX, kUnknownKey) == LUA_TTABLE)
    same = lua_rawequal(L, index, -1);
  lua_pop(L, 1);
  return same;
}

bool HasArrayMeta(lua_State* L, int index) {
  if (!lua_getmetatable(L, index)) return false;
  lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  bool same = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return same;
}

}  // namespace

bool CountTableKeys(lua_State* L, int index, TableKeys* out) {
  index = lua_absindex(L, index);
  *out = TableKeys();
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TNUMBER && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
      ++out->items;
    } else if (lua_type(L, -1) == LUA_TSTRING) {
      ++out->names;
    } else {
      out->other_type = lua_type(L, -1);
      lua_pop(L, 1);
      return false;
    }
  }
  return true;
}

namespace {

// Where a conversion failed: `path` is built on the way back up ("servers[2].port").
struct ConvertError {
  std::string path;
  std::string message;
};

bool Convert(lua_State* L, int index, nlohmann::json* out, ConvertError* error, int depth);

bool ConvertTable(lua_State* L, int index, nlohmann::json* out, ConvertError* error, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(L, 4)) {
    error->message = "table nested too deeply (or it contains itself)";
    return false;
  }
  if (!CompleteLazyState(L, index, &error->message)) return false;
  bool marked = HasArrayMeta(L, index);
  TableKeys keys;
  if (!CountTableKeys(L, index, &keys)) {
    error->message = std::string("table has a key of type ") + lua_typename(L, keys.other_type) +
                     " (only string keys or a list 1..n can be encoded)";
    return false;
  }
  const lua_Integer n = keys.items;
  const bool has_string_keys = keys.names > 0, has_number_keys = keys.items > 0;
  if (has_string_keys && (has_number_keys || marked)) {
    error->message = "table mixes string keys with list items";
    return false;
  }
  if (has_number_keys || marked) {
    *out = nlohmann::json::array();
    for (lua_Integer i = 1; i <= n; ++i) {
      if (lua_rawgeti(L, index, i) == LUA_TNIL) {
        lua_pop(L, 1);
        error->message = "list has a hole at index " + std::to_string(i) + " (use json.null)";
        return false;
      }
      nlohmann::json item;
      bool ok = Convert(L, -1, &item, error, depth + 1);
      lua_pop(L, 1);
      if (!ok) {
        error->path = "[" + std::to_string(i) + "]" +
                      (error->path.empty() || error->path[0] == '[' ? "" : ".") + error->path;
        return false;
      }
      out->push_back(std::move(item));
    }
    return true;
  }
  *out = nlohmann::json::object();
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    size_t len = 0;
    const char* k = lua_tolstring(L, -2, &len);  // a string key: no conversion happens
    std::string key(k, len);
    nlohmann::json item;
    if (!Convert(L, -1, &item, error, depth + 1)) {
      lua_pop(L, 2);
      error->path = key + (error->path.empty() || error->path[0] == '[' ? "" : ".") + error->path;
      return false;
    }
    lua_pop(L, 1);
    (*out)[key] = std::move(item);
  }
  return true;
}

bool Convert(lua_State* L, int index, nlohmann::json* out, ConvertError* error, int depth) {
  index = lua_absindex(L, index);
  switch (lua_type(L, index)) {
    case LUA_TNONE:
    case LUA_TNIL: *out = nullptr; return true;
    case LUA_TBOOLEAN: *out = lua_toboolean(L, index) != 0; return true;
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) {
        *out = static_cast<int64_t>(lua_tointeger(L, index));
        return true;
      }
      if (!std::isfinite(lua_tonumber(L, index))) {
        error->message = "number is not finite (nan and inf have no JSON form)";
        return false;
      }
      *out = static_cast<double>(lua_tonumber(L, index));
      return true;
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      *out = std::string(s, len);
      return true;
    }
    case LUA_TLIGHTUSERDATA:
      if (IsJsonNull(L, index)) {
        *out = nullptr;
        return true;
      }
      break;
    case LUA_TTABLE:
      if (IsUnknownValue(L, index)) {
        error->message = "value is unknown until apply (cairn.unknown cannot be encoded)";
        return false;
      }
      return ConvertTable(L, index, out, error, depth);
    default: break;
  }
  error->message = std::string("cannot encode a Lua ") + luaL_typename(L, index);
  return false;
}

void Push(lua_State* L, const nlohmann::json& j, int depth) {
  if (depth > kMaxDepth) luaL_error(L, "document nested more than %d levels deep", kMaxDepth);
  luaL_checkstack(L, 4, "document nested too deeply");
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded: PushJsonNull(L); break;
    case nlohmann::json::value_t::boolean: lua_pushboolean(L, j.get<bool>()); break;
    case nlohmann::json::value_t::number_integer: lua_pushinteger(L, j.get<int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX))
        lua_pushinteger(L, static_cast<lua_Integer>(u));
      else
        lua_pushnumber(L, static_cast<lua_Number>(u));
      break;
    }
    case nlohmann::json::value_t::number_float: lua_pushnumber(L, j.get<double>()); break;
    case nlohmann::json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      lua_pushlstring(L, s.data(), s.size());
      break;
    }
    case nlohmann::json::value_t::binary: lua_pushnil(L); break;
    case nlohmann::json::value_t::array: {
      lua_createtable(L, static_cast<int>(j.size()), 0);
      lua_Integer i = 1;
      for (const nlohmann::json& item : j) {
        Push(L, item, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
      lua_setmetatable(L, -2);
      break;
    }
    case nlohmann::json::value_t::object: {
      lua_createtable(L, 0, static_cast<int>(j.size()));
      for (auto it = j.begin(); it != j.end(); ++it) {
        lua_pushlstring(L, it.key().data(), it.key().size());
        Push(L, it.value(), depth + 1);
        lua_rawset(L, -3);
      }
      break;
    }
  }
}

int PushAll(lua_State* L) {
  const auto* results = static_cast<const JsonReturns*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  for (const nlohmann::json& j : *results) Push(L, j, 0);
  return static_cast<int>(results->size());
}

}  // namespace

void PushJsonNull(lua_State* L) { lua_pushlightuserdata(L, const_cast<char*>(&kNullSentinel)); }

bool IsJsonNull(lua_State* L, int index) {
  return lua_type(L, index) == LUA_TLIGHTUSERDATA && lua_touserdata(L, index) == &kNullSentinel;
}

void EnsureJsonArrayMeta(lua_State* L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushliteral(L, "array");
    lua_setfield(L, -2, "__name");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  }
  lua_pop(L, 1);
}

bool LuaToJson(lua_State* L, int index, nlohmann::json* out, std::string* error) {
  ConvertError e;
  if (Convert(L, index, out, &e, 0)) return true;
  *error = e.path.empty() ? e.message : e.path + ": " + e.message;
  return false;
}

namespace internal {

bool PushJsonProtected(lua_State* L, const JsonReturns& results, char* error, size_t cap) {
  return PushWithProtected(L, PushAll, &results, static_cast<int>(results.size()), error, cap);
}

}  // namespace internal
}  // namespace cairn::lua
