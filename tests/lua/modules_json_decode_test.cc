// json.decode: what plugins rely on when they read API responses (values, nulls, the array mark
// that keeps [] apart from {}, number types, escapes, drop_keys, errors, limits).
#include <cstdlib>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/lua/modules_harness.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;

// same(got, want) -> "ok" or the first difference; tables are compared deeply and must carry the
// same metatable (the array mark), so `want` builds arrays with json.array.
const char* const kSame = R"(
local function same(a, b, path)
  path = path or "$"
  if type(a) ~= type(b) then return path .. ": " .. type(a) .. " vs " .. type(b) end
  if type(a) ~= "table" then
    if a ~= b or math.type(a) ~= math.type(b) then
      return path .. ": " .. tostring(a) .. " vs " .. tostring(b)
    end
    return "ok"
  end
  if getmetatable(a) ~= getmetatable(b) then return path .. ": array mark differs" end
  for k, v in pairs(a) do
    local r = same(v, b[k], path .. "." .. tostring(k))
    if r ~= "ok" then return r end
  end
  for k in pairs(b) do
    if a[k] == nil then return path .. "." .. tostring(k) .. ": missing" end
  end
  return "ok"
end
)";

class JsonDecodeTest : public ::testing::Test {
 protected:
  std::string Eval(const std::string& code) { return h_.Eval(std::string(kSame) + code); }
  testing::ModuleHarness h_;
};

TEST_F(JsonDecodeTest, NestedArraysAndObjectsKeepTheirKindAndNulls) {
  EXPECT_EQ(Eval(R"(
    local A, N = json.array, json.null
    local got = json.decode(' { "a" : [1, [2, {"b": []}], {}, null],'
                         .. ' "c": {"d": {"e": [null, true, false, "s"]}}, "n": null } ')
    return same(got, { a = A{ 1, A{ 2, { b = A{} } }, {}, N },
                       c = { d = { e = A{ N, true, false, "s" } } }, n = N }))"),
            "ok");
  EXPECT_EQ(Eval(R"(return same(json.decode('[[[]]]'), json.array{ json.array{ json.array{} } }))"),
            "ok");
  EXPECT_EQ(Eval(R"(return json.decode('null') == json.null)"), "true");
  EXPECT_EQ(Eval(R"(local v = json.decode('[null, null, 1]') return #v .. " " .. v[3])"), "3 1");
  EXPECT_EQ(Eval(R"(return json.decode('"text"') .. json.decode('12'))"), "text12");
  // A leading byte order mark is skipped.
  EXPECT_EQ(
      Eval(
          R"(return same(json.decode('\xef\xbb\xbf[1, {"a": "b"}]'), json.array{ 1, { a = "b" } }))"),
      "ok");
}

TEST_F(JsonDecodeTest, EmptyArraysAndObjectsRoundTripThroughEncode) {
  for (const char* doc : {"[]", "{}", R"([[],{},[{}],{"a":[],"b":{}}])",
                          R"({"items":[],"metadata":{"labels":{}},"x":[[[]]]})"}) {
    EXPECT_EQ(Eval(std::string("return json.encode(json.decode('") + doc + "'))"), doc);
  }
}

TEST_F(JsonDecodeTest, IntegersStayIntegersUntilTheyDoNotFit) {
  EXPECT_EQ(Eval(R"(
    local v = json.decode('[9223372036854775807, -9223372036854775808, 0, -0, 42]')
    return same(v, json.array{ math.maxinteger, math.mininteger, 0, 0, 42 }))"),
            "ok");
  // Beyond int64 an unsigned value becomes a float, as does anything beyond uint64.
  EXPECT_EQ(Eval(R"(
    local v = json.decode('[9223372036854775808, 18446744073709551615, 18446744073709551616,'
                       .. ' -9223372036854775809]')
    return same(v, json.array{ 2^63, 2^64, 2^64, -2^63 }))"),
            "ok");
  EXPECT_EQ(Eval(R"(
    local v = json.decode('{"a": 9223372036854775808}')
    return math.type(v.a) .. " " .. string.format("%.0f", v.a))"),
            "float 9223372036854775808");
}

TEST_F(JsonDecodeTest, FloatsAreFloatsEvenWhenWhole) {
  EXPECT_EQ(Eval(R"(
    local v = json.decode('[2.5, -0.125, 1.0, 1e2, 1E-2, 6.02e23, 1e300, -1.5e-300]')
    return same(v, json.array{ 2.5, -0.125, 1.0, 100.0, 0.01, 6.02e23, 1e300, -1.5e-300 }))"),
            "ok");
  EXPECT_EQ(Eval(R"(return json.encode(json.decode('[1.0, 2, 0.5]')))"), "[1.0,2,0.5]");
}

TEST_F(JsonDecodeTest, StringEscapesAndUnicode) {
  EXPECT_EQ(Eval(R"(
    local v = json.decode('["\\u00e9", "\\ud83d\\ude00", "\\n\\t\\"\\\\\\/\\b\\f\\r", "caf\xc3\xa9",'
                       .. ' "a\\u0000b", ""]')
    return same(v, json.array{ "\xc3\xa9", "\xf0\x9f\x98\x80", "\n\t\"\\/\b\f\r", "caf\xc3\xa9",
                               "a\0b", "" }))"),
            "ok");
  EXPECT_EQ(Eval(R"(
    local v = json.decode('{"k\\u00e9y": 1, "\\ud83d\\ude00": 2}')
    return v["k\xc3\xa9y"] .. v["\xf0\x9f\x98\x80"])"),
            "12");
  EXPECT_THAT(Eval(R"(return json.decode('["\\ud800"]'))"),
              HasSubstr("json.decode: parse error at line 1, column 9: syntax error while parsing "
                        "value - invalid string: surrogate U+D800..U+DBFF must be followed by "
                        "U+DC00..U+DFFF; last read: '\"\\ud800\"'"));
  EXPECT_THAT(Eval(R"(return json.decode('["\xff"]'))"),
              HasSubstr("json.decode: parse error at line 1, column 3: syntax error while parsing "
                        "value - invalid string: ill-formed UTF-8 byte; last read: '\"\xFF'"));
}

TEST_F(JsonDecodeTest, DuplicateKeysKeepTheLastValue) {
  EXPECT_EQ(Eval(R"(
    return same(json.decode('{"a": 1, "b": {"c": 1}, "a": [2], "b": 3}'), { a = json.array{ 2 }, b = 3 }))"),
            "ok");
}

TEST_F(JsonDecodeTest, DropKeysBareAndParentForms) {
  EXPECT_EQ(Eval(R"(
    local text = '{"managedFields": 1, "a": {"managedFields": {"x": [1]}, "b": [{"managedFields": 2,'
              .. ' "c": 3}]}, "metadata": {"managedFields": [], "name": "n"}}'
    return same(json.decode(text, { drop_keys = { "managedFields" } }),
                { a = { b = json.array{ { c = 3 } } }, metadata = { name = "n" } }))"),
            "ok");
  // "parent.key" only drops key in an object that is the value of a member named parent: not at
  // the top, not in other members, not in objects inside a list under parent.
  EXPECT_EQ(Eval(R"(
    local text = '{"managedFields": 1, "metadata": {"managedFields": [{"a": 1}], "name": "n",'
              .. ' "spec": {"managedFields": 2}}, "data": {"managedFields": 3},'
              .. ' "items": [{"metadata": {"managedFields": {}, "uid": "u"}}],'
              .. ' "list": {"metadata": [{"managedFields": 4}]}}'
    return same(json.decode(text, { drop_keys = { "metadata.managedFields", "other.key" } }),
                { managedFields = 1, metadata = { name = "n", spec = { managedFields = 2 } },
                  data = { managedFields = 3 }, items = json.array{ { metadata = { uid = "u" } } },
                  list = { metadata = json.array{ { managedFields = 4 } } } }))"),
            "ok");
  // A dropped member is skipped whole, even when it holds a list or is nested deeper than
  // decode would accept.
  EXPECT_EQ(Eval(R"(
    local deep = string.rep("[", 300) .. string.rep("]", 300)
    local v = json.decode('{"skip": ' .. deep .. ', "keep": [1]}', { drop_keys = { "skip" } })
    return same(v, { keep = json.array{ 1 } }))"),
            "ok");
}

TEST_F(JsonDecodeTest, InvalidJsonSaysWhatAndWhere) {
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode, '{"a": tru}') return e)"),
            "json.decode: parse error at line 1, column 10: syntax error while parsing value - "
            "invalid literal; last read: '\"a\": tru}'");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode, '[1, 2') return e)"),
            "json.decode: parse error at line 1, column 6: syntax error while parsing array - "
            "unexpected end of input; expected ']'");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode, '') return e)"),
            "json.decode: parse error at line 1, column 1: syntax error while parsing value - "
            "unexpected end of input; expected '[', '{', or a literal");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode, '{"a": 1}\n  x') return e)"),
            "json.decode: parse error at line 2, column 3: syntax error while parsing value - "
            "invalid literal; last read: '1}<U+000A>  x'; expected end of input");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode, '{"a" 1}') return e)"),
            "json.decode: parse error at line 1, column 6: syntax error while parsing object "
            "separator - unexpected number literal; expected ':'");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode, '[01]') return e)"),
            "json.decode: parse error at line 1, column 3: syntax error while parsing array - "
            "unexpected number literal; expected ']'");
  EXPECT_THAT(Eval("return json.decode(nil)"), HasSubstr("bad argument #1 to 'decode'"));
}

TEST_F(JsonDecodeTest, NestingDeeperThanTheLimitIsAnError) {
  EXPECT_EQ(Eval(R"(
    local v = json.decode(string.rep("[", 100) .. "1" .. string.rep("]", 100))
    for _ = 1, 99 do v = v[1] end
    return v[1])"),
            "1");
  EXPECT_EQ(Eval(R"(return #json.decode(string.rep("[", 101) .. string.rep("]", 101)))"), "1");
  EXPECT_EQ(Eval(R"(
    local ok, e = pcall(json.decode, string.rep("[", 101) .. "1" .. string.rep("]", 101))
    return e)"),
            "document nested more than 100 levels deep");
  EXPECT_EQ(Eval(R"(
    local ok, e = pcall(json.decode, string.rep('{"a":', 200) .. "1" .. string.rep("}", 200))
    return e)"),
            "document nested more than 100 levels deep");
  // A syntax error is reported even when the document is also too deep.
  EXPECT_THAT(Eval(R"(return json.decode(string.rep("[", 200) .. "1" .. string.rep("]", 199)))"),
              HasSubstr("json.decode: parse error at line 1, column 401: syntax error while "
                        "parsing array - unexpected end of input; expected ']'"));
}

// A Kubernetes-like LIST response of 2,000 objects (about 1 MB) decodes to exactly the values
// that built it, minus the dropped managedFields.
TEST_F(JsonDecodeTest, LargeListDecodesToTheValuesThatBuiltIt) {
  EXPECT_EQ(Eval(R"(
    local A, N = json.array, json.null
    local parts, want = {}, {}
    for i = 1, 2000 do
      parts[i] = string.format('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {'
        .. '"name": "cm-%d", "namespace": "ns-%d", "uid": "0f%08x-aaaa-bbbb", '
        .. '"resourceVersion": "%d", "labels": {"app": "app-%d", "tier": "backend"}, '
        .. '"annotations": {}, "finalizers": [], "managedFields": [{"manager": "kubectl", '
        .. '"operation": "Apply", "fieldsV1": {"f:data": {"f:key": {}}, "f:metadata": '
        .. '{"f:labels": {".": {}, "f:app": {}}}}, "time": "2024-01-01T00:00:00Z"}]}, '
        .. '"data": {"key": "value \\u00e9 %d", "n": %d, "ratio": %d.5, "none": null, '
        .. '"managedFields": "user data"}, "list": [%d, null, true, {"x": []}]}',
        i, i % 7, i, 1000 + i, i % 13, i, i - 1000, i, i)
      want[i] = { apiVersion = "v1", kind = "ConfigMap",
        metadata = { name = "cm-" .. i, namespace = "ns-" .. (i % 7),
          uid = string.format("0f%08x-aaaa-bbbb", i), resourceVersion = tostring(1000 + i),
          labels = { app = "app-" .. (i % 13), tier = "backend" }, annotations = {},
          finalizers = A{} },
        data = { key = "value \xc3\xa9 " .. i, n = i - 1000, ratio = i + 0.5, none = N,
          managedFields = "user data" },
        list = A{ i, N, true, { x = A{} } } }
    end
    local text = '{"apiVersion": "v1", "kind": "ConfigMapList", "metadata": '
              .. '{"resourceVersion": "99"}, "items": [' .. table.concat(parts, ", ") .. ']}'
    assert(#text > 1000000, #text)
    local got = json.decode(text, { drop_keys = { "metadata.managedFields" } })
    return same(got, { apiVersion = "v1", kind = "ConfigMapList",
                       metadata = { resourceVersion = "99" }, items = A(want) }))"),
            "ok");
}

TEST_F(JsonDecodeTest, MemoryLimitIsALuaErrorAndTheStateStaysUsable) {
  ASSERT_EQ(Eval(R"(
    local parts = {}
    for i = 1, 5000 do parts[i] = '{"name": "object-' .. i .. '", "list": [1, 2, 3]}' end
    text = "[" .. table.concat(parts, ",") .. "]"
    return #text > 200000)"),
            "true");
  bool within = false;
  std::string out = h_.EvalWithMemoryBudget(
      256 * 1024, "local ok, e = pcall(json.decode, text) return tostring(ok) .. ' ' .. e",
      &within);
  EXPECT_EQ(out, "false not enough memory");
  EXPECT_TRUE(within);
  EXPECT_EQ(Eval("return json.decode(text)[5000].name"), "object-5000");
}

}  // namespace
}  // namespace cairn::lua
