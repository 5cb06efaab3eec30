// json.encode's direct writer against the document path it replaces (LuaToJson, then nlohmann's
// dump): the same text for every value both accept, and a refusal wherever that path fails.
#include "engine/lua/modules/json_encode.h"

#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/lua/convert.h"
#include "engine/lua/modules/json_lua.h"
#include "tests/lua/modules_harness.h"

namespace cairn::lua {
namespace {

// gen(seed) -> a random value: nested tables (lists, marked empty lists, maps with keys that sort
// in interesting ways, long keys), strings with escapes, control characters and UTF-8, integers
// at the limits, floats, booleans and json.null; now and then something encode refuses.
const char* const kGen = R"(
local keys = { "a", "B", "b", "aa", "_", "~", "\xc3\xa9", "z\0z", "key with spaces",
               string.rep("long-key-", 6), "10", "9", "" }
local strings = { "", "plain", "quote\"back\\slash", "ctl\1\31\127", "tab\tnl\ncr\rbs\bff\f",
                  "\xe2\x82\xac euro", "\xf0\x9f\x98\x80", "/slash", string.rep("x", 100) }
local function gen(depth, bad)
  local r = math.random(1, depth > 3 and 6 or 10)
  if r == 1 then return math.random(-1000, 1000) end
  if r == 2 then return ({ math.maxinteger, math.mininteger, 0, -1 })[math.random(1, 4)] end
  if r == 3 then return ({ 1.0, 0.1, -0.0, 1e300, 2.5e-8, 3.14159, 1 / 3 })[math.random(1, 7)] end
  if r == 4 then return strings[math.random(1, #strings)] end
  if r == 5 then return ({ true, false, json.null })[math.random(1, 3)] end
  if r == 6 then
    if bad and math.random(1, 50) == 1 then
      return ({ "\xff\xfe", function() end, 0 / 0, {1, x = 2}, cairn_unknown })[math.random(1, 5)]
    end
    return "s" .. math.random(1, 9)
  end
  if r <= 8 then
    local n = math.random(0, 4)
    local t = {}
    for i = 1, n do t[i] = gen(depth + 1, bad) end
    if n == 0 or math.random(1, 3) == 1 then json.array(t) end
    return t
  end
  local t = {}
  for _ = 1, math.random(0, 5) do t[keys[math.random(1, #keys)]] = gen(depth + 1, bad) end
  return t
end
return gen
)";

TEST(JsonEncodeTest, DirectWriterMatchesTheDocumentPath) {
  testing::ModuleHarness h;
  lua_State* L = h.state();
  lua_newtable(L);  // the unknown sentinel, as the sandbox registers it
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, kUnknownKey);
  lua_setglobal(L, "cairn_unknown");
  ASSERT_EQ(luaL_loadstring(L, kGen), LUA_OK);
  ASSERT_EQ(lua_pcall(L, 0, 1, 0), LUA_OK);
  int gen = lua_gettop(L);
  ASSERT_EQ(luaL_dostring(L, "math.randomseed(7)"), LUA_OK);
  int same = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    lua_pushvalue(L, gen);
    lua_pushinteger(L, 0);
    lua_pushboolean(L, i % 3 == 0);
    ASSERT_EQ(lua_pcall(L, 2, 1, 0), LUA_OK);
    for (int indent : {-1, 0, 2}) {
      std::string direct;
      bool ok = EncodeLuaJson(L, -1, indent, &direct);
      nlohmann::json j;
      std::string error, dumped;
      bool doc_ok = LuaToJson(L, -1, &j, &error);
      if (doc_ok) {
        try {
          dumped = j.dump(indent, ' ', false, nlohmann::json::error_handler_t::strict);
        } catch (const nlohmann::json::exception&) {
          doc_ok = false;
        }
      }
      ASSERT_EQ(ok, doc_ok) << "value " << i << ": " << (ok ? direct : error);
      if (ok) {
        ASSERT_EQ(direct, dumped) << "value " << i << " indent " << indent;
        ++same;
      } else {
        ++refused;
      }
    }
    lua_pop(L, 1);
  }
  EXPECT_GT(same, 8000);
  EXPECT_GT(refused, 10);
}

}  // namespace
}  // namespace cairn::lua
