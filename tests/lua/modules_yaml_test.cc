#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/lua/modules_harness.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;

class YamlModuleTest : public ::testing::Test {
 protected:
  testing::ModuleHarness h_;
};

TEST_F(YamlModuleTest, DecodeResolvesPlainScalarsButKeepsQuotedOnesAsText) {
  EXPECT_EQ(h_.Eval(R"(
    local v = yaml.decode("a: 1\nb: '1'\nc: true\nd: ~\ne: 2.5\nf: yes\ng: 0x10\n")
    return math.type(v.a) .. " " .. type(v.b) .. " " .. tostring(v.c) .. " "
        .. tostring(v.d == yaml.null) .. " " .. v.e .. " " .. v.f .. " " .. v.g)"),
            "integer string true true 2.5 yes 16");
}

TEST_F(YamlModuleTest, EncodeSortsKeysAndQuotesStringsThatWouldChangeType) {
  EXPECT_EQ(h_.Eval(R"(return yaml.encode({ b = "true", a = "0644", c = "yes", d = "plain",
                                             e = 7, f = json.array(), g = {} }))"),
            "a: \"0644\"\nb: \"true\"\nc: \"yes\"\nd: plain\ne: 7\nf: []\ng: {}\n");
}

TEST_F(YamlModuleTest, RoundTripKeepsTypesAndMultilineText) {
  EXPECT_EQ(h_.Eval(R"(
    local doc = { text = "line one\nline two\n", n = 3, list = { "x", "10", false } }
    local back = yaml.decode(yaml.encode(doc))
    return json.encode(back) == json.encode(doc))"),
            "true");
}

TEST_F(YamlModuleTest, DecodeAllReturnsEveryDocument) {
  EXPECT_EQ(h_.Eval(R"(
    local docs = yaml.decode_all("a: 1\n---\nb: 2\n---\n- x\n")
    return #docs .. " " .. docs[1].a .. " " .. docs[2].b .. " " .. docs[3][1])"),
            "3 1 2 x");
}

TEST_F(YamlModuleTest, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(h_.Eval(R"(return yaml.decode("a: [1, 2\nb: 3\n"))"),
              HasSubstr("test.lua:1: yaml.decode: line "));
}

TEST_F(YamlModuleTest, DuplicateKeysAreRefused) {
  EXPECT_THAT(h_.Eval(R"(return yaml.decode("a: 1\na: 2\n"))"),
              HasSubstr("line 2, column 1: duplicate key 'a'"));
}

// A text decoded again (each VM decodes the same kubeconfig) gives fresh tables with the same
// values, and an invalid text fails every time.
TEST_F(YamlModuleTest, DecodingTheSameTextAgainGivesFreshEqualTables) {
  EXPECT_EQ(h_.Eval(R"(
    local text = "kind: Config\nusers:\n- name: a\n  user: {token: t}\nclusters: []\n"
    local a = yaml.decode(text)
    a.kind = "changed"
    a.users[1].name = "changed"
    local b = yaml.decode(text)
    return table.concat({ b.kind, b.users[1].name, b.users[1].user.token, #b.clusters,
      tostring(getmetatable(b.clusters) == getmetatable(json.array())), tostring(a ~= b) }, " "))"),
            "Config a t 0 true true");
  for (int i = 0; i < 2; ++i)
    EXPECT_THAT(h_.Eval(R"(return yaml.decode("a: 1\na: 2\n"))"),
                HasSubstr("line 2, column 1: duplicate key 'a'"));
}

}  // namespace
}  // namespace cairn::lua
