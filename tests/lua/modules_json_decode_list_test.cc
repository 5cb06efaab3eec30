// json.decode_list: a list response read as its document, each item's JSON text and the fields a
// refresh compares, without tables for the items (normal use, odd but valid input, errors, limits).
#include <cstdlib>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/lua/modules_harness.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;

class JsonDecodeListTest : public ::testing::Test {
 protected:
  std::string Eval(const std::string& code) { return h_.Eval(code); }
  testing::ModuleHarness h_;
};

TEST_F(JsonDecodeListTest, GivesTheDocWithoutItemsAndPerItemTextAndFields) {
  EXPECT_EQ(Eval(R"(
    local text = '{"kind": "ConfigMapList", "metadata": {"continue": "tok", "resourceVersion": "9"},'
      .. ' "items": [ {"metadata": {"name": "a", "resourceVersion": "5", "uid": "u-a"}, "data": {"k": "v"}},'
      .. '{"metadata": {"uid": "u-b", "name": "b"}, "data": {}} ], "apiVersion": "v1"}'
    local doc, items = json.decode_list(text, { fields = { "metadata.name", "metadata.resourceVersion", "metadata.uid" } })
    local out = { doc.kind, doc.apiVersion, doc.metadata.continue, tostring(doc.items), #items,
      tostring(getmetatable(items) == getmetatable(json.array({}))) }
    for _, e in ipairs(items) do
      local f = e.fields
      out[#out + 1] = f["metadata.name"] .. "/" .. tostring(f["metadata.resourceVersion"]) .. "/" .. f["metadata.uid"]
      -- The text is the item exactly as sent, and decodes to the item.
      out[#out + 1] = json.encode(json.decode(e.json))
    end
    return table.concat(out, " "))"),
            "ConfigMapList v1 tok nil 2 true a/5/u-a "
            R"({"data":{"k":"v"},"metadata":{"name":"a","resourceVersion":"5","uid":"u-a"}})"
            " b/nil/u-b "
            R"({"data":{},"metadata":{"name":"b","uid":"u-b"}})");
  EXPECT_EQ(Eval(R"(
    local _, items = json.decode_list('{"items": [ {"a": 1} ,{"b":2}]}')
    return items[1].json .. "|" .. items[2].json .. "|" .. tostring(next(items[1].fields)))"),
            R"({"a": 1}|{"b":2}|nil)");
}

TEST_F(JsonDecodeListTest, FieldsOfAnyKindEscapesAndOddItems) {
  EXPECT_EQ(Eval(R"(
    local text = '{"items": [{"m": {"n": "a\\u00e9\\"b", "v": 7, "f": 1.5, "t": true, "z": null,'
      .. ' "o": {"x": [1, {}]}, "l": []}, "m2": 1}, 3, "s", null, [1], {"m": 5},'
      .. ' {"m": {"n": {"deep": 1}}}, {"\\u006d": {"n": "escaped key"}}]}'
    local _, items = json.decode_list(text, { fields = { "m.n", "m.v", "m.f", "m.t", "m.z", "m.o", "m.l", "m2" } })
    local f = items[1].fields
    local out = { f["m.n"], math.type(f["m.v"]), math.type(f["m.f"]), tostring(f["m.t"]),
      tostring(f["m.z"] == json.null), json.encode(f["m.o"]), json.encode(f["m.l"]), tostring(f.m2),
      #items }
    for i = 2, 6 do out[#out + 1] = items[i].json .. ":" .. tostring(next(items[i].fields)) end
    out[#out + 1] = json.encode(items[7].fields["m.n"])
    out[#out + 1] = items[8].fields["m.n"]
    return table.concat(out, " "))"),
            "a\xC3\xA9\"b integer float true true {\"x\":[1,{}]} [] 1 8 3:nil \"s\":nil null:nil "
            "[1]:nil {\"m\": 5}:nil {\"deep\":1} escaped key");
}

TEST_F(JsonDecodeListTest, NoItemsNullItemsBomAndDuplicateFieldKeys) {
  EXPECT_EQ(Eval(R"(
    local d1, i1 = json.decode_list('{"kind": "List"}')
    local d2, i2 = json.decode_list('{"items": null, "kind": "List"}')
    local d3, i3 = json.decode_list('\xef\xbb\xbf {"items": []} ')
    local _, i4 = json.decode_list('{"items": [{"a": "1", "a": "2"}]}', { fields = { "a" } })
    return table.concat({ d1.kind, #i1, d2.kind, #i2, tostring(next(d3)), #i3, i4[1].fields.a }, " "))"),
            "List 0 List 0 nil 0 2");
}

TEST_F(JsonDecodeListTest, DropKeysApplyToTheDocAndToFieldValues) {
  EXPECT_EQ(Eval(R"(
    local text = '{"metadata": {"managedFields": [1], "continue": ""},'
      .. ' "items": [{"metadata": {"managedFields": [2], "name": "a"}}]}'
    local doc, items = json.decode_list(text, { fields = { "metadata" }, drop_keys = { "metadata.managedFields" } })
    -- The item's own text is left as it is: decode it with the same drop_keys when needed.
    return json.encode(doc) .. " " .. json.encode(items[1].fields.metadata) .. " "
      .. tostring(items[1].json:find("managedFields") ~= nil))"),
            R"({"metadata":{"continue":""}} {"name":"a"} true)");
}

TEST_F(JsonDecodeListTest, InvalidInputIsAnErrorThatSaysWhy) {
  // Invalid JSON anywhere, items included, is reported as json.decode reports it.
  EXPECT_EQ(
      Eval(R"(local ok, e = pcall(json.decode_list, '{"items": [{"a": tru}]}') return e)"),
      "json.decode_list: parse error at line 1, column 21: syntax error while parsing value - "
      "invalid literal; last read: '\"a\": tru}'");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode_list, '{"items": [1,]}') return tostring(ok))"),
            "false");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode_list, '[1, 2]') return e)"),
            "json.decode_list: the document is not an object with an items list");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode_list, '{"items": {"a": 1}}') return e)"),
            "json.decode_list: items is not an array");
  EXPECT_EQ(Eval(R"(local ok, e = pcall(json.decode_list, '{"items": 3}') return e)"),
            "json.decode_list: items is not an array");
  EXPECT_THAT(Eval("return json.decode_list(nil)"),
              HasSubstr("bad argument #1 to 'decode_list' (string expected, got nil)"));
  EXPECT_THAT(Eval("return json.decode_list('{}', { fields = 'metadata.name' })"),
              HasSubstr("fields must be a list of strings"));
  EXPECT_THAT(Eval("return json.decode_list('{}', { fields = { 'a', '' } })"),
              HasSubstr("fields must be a list of non-empty strings"));
  EXPECT_THAT(Eval(R"(
    local f = {}
    for i = 1, 65 do f[i] = "f" .. i end
    return json.decode_list('{"items": []}', { fields = f }))"),
              HasSubstr("json.decode_list: at most 64 fields"));
  // A field value nested past the depth limit is refused as json.decode refuses it.
  EXPECT_THAT(Eval(R"(
    local deep = string.rep("[", 150) .. string.rep("]", 150)
    return select(2, pcall(json.decode_list, '{"items": [{"a": ' .. deep .. '}]}', { fields = { "a" } })))"),
              HasSubstr("nested more than 100 levels deep"));
}

TEST_F(JsonDecodeListTest, LargeListIndexesEveryItem) {
  EXPECT_EQ(Eval(R"(
    local parts = {}
    for i = 1, 3000 do
      parts[i] = string.format('{"metadata": {"name": "cm-%d", "resourceVersion": "%d", "labels":'
        .. ' {"a": "b"}}, "data": {"k": "%s"}}', i, i * 7, string.rep("x", i % 50))
    end
    local text = '{"kind": "ConfigMapList", "items": [' .. table.concat(parts, ", ") .. ']}'
    local _, items = json.decode_list(text, { fields = { "metadata.name", "metadata.resourceVersion" } })
    local bad = 0
    for i, e in ipairs(items) do
      local f = e.fields
      if f["metadata.name"] ~= "cm-" .. i or f["metadata.resourceVersion"] ~= tostring(i * 7)
          or json.decode(e.json).data.k ~= string.rep("x", i % 50) then
        bad = bad + 1
      end
    end
    return #items .. " " .. bad)"),
            "3000 0");
}

TEST_F(JsonDecodeListTest, MemoryLimitIsALuaErrorAndTheStateStaysUsable) {
  ASSERT_EQ(Eval(R"(
    local parts = {}
    for i = 1, 5000 do parts[i] = '{"metadata": {"name": "object-' .. i .. '"}, "list": [1, 2, 3]}' end
    text = '{"items": [' .. table.concat(parts, ",") .. ']}'
    return #text > 200000)"),
            "true");
  bool within = false;
  std::string out = h_.EvalWithMemoryBudget(
      128 * 1024,
      "local ok, e = pcall(json.decode_list, text, { fields = { 'metadata.name' } }) "
      "return tostring(ok) .. ' ' .. e",
      &within);
  EXPECT_EQ(out, "false not enough memory");
  EXPECT_TRUE(within);
  EXPECT_EQ(Eval("local _, items = json.decode_list(text, { fields = { 'metadata.name' } }) "
                 "return items[5000].fields['metadata.name']"),
            "object-5000");
}

}  // namespace
}  // namespace cairn::lua
