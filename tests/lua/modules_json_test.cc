#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/lua/modules_harness.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class JsonModuleTest : public ::testing::Test {
 protected:
  testing::ModuleHarness h_;
};

TEST_F(JsonModuleTest, EncodeSortsKeysSoOutputIsStable) {
  EXPECT_EQ(h_.Eval(R"(return json.encode({ zeta = 1, alpha = { b = true, a = "x" } }))"),
            R"({"alpha":{"a":"x","b":true},"zeta":1})");
}

TEST_F(JsonModuleTest, EncodeIndents) {
  EXPECT_EQ(h_.Eval(R"(return json.encode({ a = { 1, 2 } }, { indent = 2 }))"),
            "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
}

TEST_F(JsonModuleTest, IntegersAndFloatsKeepTheirForm) {
  EXPECT_EQ(h_.Eval(R"(return json.encode({ 1, 2.5, -3, 1e300 }))"), "[1,2.5,-3,1e+300]");
}

TEST_F(JsonModuleTest, EmptyTableIsAnObjectUnlessMarkedAsArray) {
  EXPECT_EQ(h_.Eval(R"(return json.encode({}))"), "{}");
  EXPECT_EQ(h_.Eval(R"(return json.encode(json.array()))"), "[]");
  EXPECT_EQ(h_.Eval(R"(return json.encode({ items = json.array({}) }))"), R"({"items":[]})");
}

TEST_F(JsonModuleTest, DecodeDropsNamedKeysAtAnyDepth) {
  EXPECT_EQ(h_.Eval(R"(
    local text = '{"metadata": {"name": "a", "managedFields": [{"manager": "x"}]},' ..
                 ' "items": [{"managedFields": 1, "keep": 2}], "managedFields": {}}'
    return json.encode(json.decode(text, { drop_keys = { "managedFields" } })))"),
            R"({"items":[{"keep":2}],"metadata":{"name":"a"}})");
  // "parent.key" drops the key only inside a member named parent: data of that name stays.
  EXPECT_EQ(h_.Eval(R"(
    local text = '{"items": [{"metadata": {"name": "a", "managedFields": [1]},' ..
                 ' "data": {"managedFields": "user data"}}]}'
    return json.encode(json.decode(text, { drop_keys = { "metadata.managedFields" } })))"),
            R"({"items":[{"data":{"managedFields":"user data"},"metadata":{"name":"a"}}]})");
  EXPECT_THAT(h_.Eval(R"(return json.decode('{}', { drop_keys = "x" }))"),
              HasSubstr("drop_keys must be a list of strings"));
}

TEST_F(JsonModuleTest, NullSentinelEncodesAsNullAndKeepsListPositions) {
  EXPECT_EQ(h_.Eval(R"(return json.encode({ 1, json.null, 3 }))"), "[1,null,3]");
  EXPECT_EQ(h_.Eval(R"(return json.encode({ a = json.null }))"), R"({"a":null})");
}

TEST_F(JsonModuleTest, DecodeGivesTablesNullSentinelAndIntegers) {
  EXPECT_EQ(h_.Eval(R"(
    local v = json.decode('{"a": [1, null, 2.5], "b": {"c": "d"}, "e": false}')
    return tostring(v.a[2] == json.null) .. " " .. math.type(v.a[1]) .. " " .. v.a[3] .. " "
        .. v.b.c .. " " .. tostring(v.e))"),
            "true integer 2.5 d false");
}

TEST_F(JsonModuleTest, RoundTripKeepsEmptyArraysAndObjects) {
  EXPECT_EQ(h_.Eval(R"(return json.encode(json.decode('{"a":[],"b":{},"c":[[]]}')))"),
            R"({"a":[],"b":{},"c":[[]]})");
}

TEST_F(JsonModuleTest, DecodeErrorSaysWhereAndBlamesThePluginLine) {
  std::string out = h_.Eval("\n\nreturn json.decode('{\"a\": tru}')");
  EXPECT_THAT(out, StartsWith("error: test.lua:3: json.decode: parse error at line 1, column"));
}

TEST_F(JsonModuleTest, EncodeRejectsWhatJsonCannotHoldAndNamesThePath) {
  EXPECT_THAT(h_.Eval(R"(return json.encode({ servers = { { port = 0/0 } } }))"),
              HasSubstr("servers[1].port: number is not finite"));
  EXPECT_THAT(h_.Eval(R"(return json.encode({ f = print }))"),
              HasSubstr("f: cannot encode a Lua function"));
  EXPECT_THAT(h_.Eval(R"(return json.encode({ 1, 2, x = 3 }))"),
              HasSubstr("table mixes string keys with list items"));
  EXPECT_THAT(h_.Eval(R"(return json.encode({ [1] = 1, [3] = 3 }))"),
              HasSubstr("list has a hole at index 2"));
  EXPECT_THAT(h_.Eval(R"(local t = {} t.self = t return json.encode(t))"),
              HasSubstr("nested too deeply"));
  EXPECT_THAT(h_.Eval(R"(return json.encode("\xff"))"), HasSubstr("not valid UTF-8"));
}

TEST_F(JsonModuleTest, EncodeRefusesUnknownValues) {
  // The unknown sentinel is the registry table the host pushes for values known after apply.
  lua_newtable(h_.state());
  lua_pushvalue(h_.state(), -1);
  lua_setfield(h_.state(), LUA_REGISTRYINDEX, "cairn.unknown");
  lua_setglobal(h_.state(), "unknown");
  EXPECT_THAT(h_.Eval(R"(return json.encode({ ip = unknown }))"),
              HasSubstr("ip: value is unknown until apply"));
}

}  // namespace
}  // namespace cairn::lua
