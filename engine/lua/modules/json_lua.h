// Lua <-> nlohmann::json conversion shared by host.json and host.yaml.
//
// Plain Values cannot carry what these modules need: a null that survives inside lists and maps
// (json.null) and the difference between an empty array and an empty object. So these modules
// convert Lua values straight to nlohmann::json and push decoded documents with their own
// protected pusher.
#pragma once

#include <string>
#include <vector>

#include <lua.hpp>
#include <nlohmann/json.hpp>

#include "engine/lua/binding.h"

namespace cairn::lua {

/// The json.null sentinel (a light userdata), shared by host.json and host.yaml.
void PushJsonNull(lua_State* L);
bool IsJsonNull(lua_State* L, int index);

/// How deeply a decoded document may nest (a value inside this many arrays and objects).
inline constexpr int kJsonMaxDepth = 100;

/// Registry key of the metatable that marks a table as an array (so {} encodes as []).
inline constexpr const char* kJsonArrayKey = "cairn.json.array";

/// Creates the array metatable if needed. May raise: call while opening a module.
void EnsureJsonArrayMeta(lua_State* L);

/// The keys of a Lua table: positive integers (`items`, a list 1..n when nothing else) and
/// strings (`names`); `other_type` is the Lua type of a key of neither kind.
struct TableKeys {
  lua_Integer items = 0;
  size_t names = 0;
  int other_type = LUA_TNONE;
};

/// Counts the keys of the table at `index` (needs 2 free stack slots); false, with
/// `other_type` set, at the first key that is neither a positive integer nor a string.
bool CountTableKeys(lua_State* L, int index, TableKeys* out);

/// Reads the Lua value at `index` as JSON: sequences and array-marked tables become arrays, other
/// tables objects (string keys only), json.null becomes null. Never raises; on failure returns
/// false with a message naming the path ("servers[2].port: ...").
bool LuaToJson(lua_State* L, int index, nlohmann::json* out, std::string* error);

/// Like Bind(), but the body fills a list of JSON documents that are pushed as Lua values (arrays
/// marked with the array metatable, null as json.null).
using JsonReturns = std::vector<nlohmann::json>;

namespace internal {
bool PushJsonProtected(lua_State* L, const JsonReturns& results, char* error, size_t cap);
}  // namespace internal

template <class F>
int BindJson(lua_State* L, const char* name, F&& body) {
  return internal::BindWith<JsonReturns>(L, name, std::forward<F>(body),
                                         &internal::PushJsonProtected);
}

}  // namespace cairn::lua
