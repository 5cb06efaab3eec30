#include "engine/lua/binding.h"

#include <cstring>

#include "engine/lua/convert.h"

namespace cairn::lua {
namespace {

const char* TypeName(lua_State* L, int i) { return lua_typename(L, lua_type(L, i)); }

int PushAll(lua_State* L) {
  const auto* results = static_cast<const Returns*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  for (const Value& v : *results) PushValue(L, v);
  return static_cast<int>(results->size());
}

}  // namespace

void Args::Fail(int i, const std::string& what) const {
  throw BindingError{"bad argument #" + std::to_string(i) + " to '" + fname_ + "' (" + what + ")"};
}

std::string Args::String(int i) const {
  if (lua_type(L_, i) != LUA_TSTRING)
    Fail(i, std::string("string expected, got ") + TypeName(L_, i));
  size_t len = 0;
  const char* s = lua_tolstring(L_, i, &len);
  return std::string(s, len);
}

std::string Args::OptString(int i, const std::string& fallback) const {
  return IsNoneOrNil(i) ? fallback : String(i);
}

double Args::Number(int i) const {
  if (lua_type(L_, i) != LUA_TNUMBER)
    Fail(i, std::string("number expected, got ") + TypeName(L_, i));
  return lua_tonumber(L_, i);
}

int64_t Args::Integer(int i) const {
  if (lua_type(L_, i) != LUA_TNUMBER)
    Fail(i, std::string("number expected, got ") + TypeName(L_, i));
  int isnum = 0;
  lua_Integer v = lua_tointegerx(L_, i, &isnum);
  if (!isnum) Fail(i, "number has no integer representation");
  return v;
}

bool Args::Bool(int i) const {
  if (lua_type(L_, i) != LUA_TBOOLEAN)
    Fail(i, std::string("boolean expected, got ") + TypeName(L_, i));
  return lua_toboolean(L_, i) != 0;
}

Value Args::Any(int i) const {
  Value v;
  std::string err;
  if (!ToValue(L_, i, &v, &err)) Fail(i, err);
  return v;
}

Value Args::Table(int i) const {
  if (lua_type(L_, i) != LUA_TTABLE) Fail(i, std::string("table expected, got ") + TypeName(L_, i));
  return Any(i);
}

namespace internal {

void CopyMessage(const std::string& msg, char* error, size_t cap) {
  size_t n = msg.size() < cap - 1 ? msg.size() : cap - 1;
  std::memcpy(error, msg.data(), n);
  error[n] = '\0';
  if (n == 0) std::strcpy(error, "error");
}

bool PushWithProtected(lua_State* L, lua_CFunction pusher, const void* results, int count,
                       char* error, size_t cap) {
  if (count == 0) return true;
  lua_pushcfunction(L, pusher);
  lua_pushlightuserdata(L, const_cast<void*>(results));
  if (lua_pcall(L, 1, count, 0) == LUA_OK) return true;
  const char* msg = lua_tostring(L, -1);
  CopyMessage(msg ? msg : "error while returning values", error, cap);
  lua_pop(L, 1);
  return false;
}

bool PushProtected(lua_State* L, const Returns& results, char* error, size_t cap) {
  return PushWithProtected(L, PushAll, &results, static_cast<int>(results.size()), error, cap);
}

int RaiseError(lua_State* L, const char* message) {
  luaL_error(L, "%s", message);
  __builtin_unreachable();
}

}  // namespace internal
}  // namespace cairn::lua
