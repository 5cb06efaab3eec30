#include "engine/base/value.h"

#include <gtest/gtest.h>

#include "engine/base/diag.h"
#include "engine/base/edit_distance.h"
#include "engine/base/json.h"

namespace cairn {
namespace {

TEST(ValueTest, IntAndFloatCompareByNumber) {
  EXPECT_EQ(Value(1), Value(1.0));
  EXPECT_NE(Value(1), Value("1"));
}

TEST(ValueTest, UnknownIsContainedAndRendered) {
  Value v = Value::EmptyMap();
  v["ip"] = Value::Unknown("proxy.server.main.ipv4");
  EXPECT_TRUE(v.ContainsUnknown());
  EXPECT_EQ(v.ToString(), "{ip = (known after apply)}");
}

TEST(ValueTest, SensitiveNeverRendered) {
  Value v = Value::EmptyMap();
  v["token"] = "hunter2";
  v["token"].sensitive = true;
  EXPECT_EQ(v.ToString().find("hunter2"), std::string::npos);
  EXPECT_EQ(DumpJson(v, -1, {.redact_sensitive = true}).find("hunter2"), std::string::npos);
}

TEST(ValueTest, JsonRoundTripKeepsUnknownWhenAsked) {
  Value v = Value::EmptyMap();
  v["a"] = Value::Unknown("x.y.z.id");
  v["b"] = Value::List{1, "two", true};
  Result<Value> back = ParseJson(DumpJson(v, -1, {.keep_unknown = true}));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, v);
}

TEST(ValueTest, ParseJsonErrorNamesOffset) {
  Result<Value> r = ParseJson("{\"a\": }");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("byte"), std::string::npos);
}

TEST(ValueTest, ToStringQuotesEscapesAndNests) {
  Value v = Value::EmptyMap();
  v["a"] = "x\"y\\z\n\tend";
  v["f"] = 1.5;
  v["g"] = 0.1 + 0.2;
  v["i"] = int64_t{-3};
  v["l"] = Value::List{Value(true), Value(), Value::Unknown()};
  v["s"] = "hidden";
  v["s"].sensitive = true;
  EXPECT_EQ(v.ToString(),
            "{a = \"x\\\"y\\\\z\\n\\tend\", f = 1.5, g = 0.3, i = -3, "
            "l = [true, null, (known after apply)], s = (sensitive)}");
  EXPECT_EQ(Value("").ToString(), "\"\"");
}

TEST(ValueTest, ContainsTextLooksIntoEveryString) {
  Value v = Value::EmptyMap();
  v["a"]["b"] = Value::List{Value(1), Value("plain"), Value::EmptyMap()};
  EXPECT_FALSE(ContainsText(v, "${"));
  v["a"]["b"].MutableList()[2]["c"] = "x-${ref.y}";
  EXPECT_TRUE(ContainsText(v, "${"));
  EXPECT_FALSE(ContainsText(v, "${secrets."));
  EXPECT_FALSE(ContainsText(Value("a"), "ab"));
  EXPECT_TRUE(ContainsText(Value("${secrets.k}"), "${secrets."));
  // Keys are not values: a key that looks like a reference is not text to rewrite.
  Value keyed = Value::EmptyMap();
  keyed["${not}"] = 1;
  EXPECT_FALSE(ContainsText(keyed, "${"));
}

TEST(EditDistanceTest, SuggestsCloseWordsOnly) {
  EXPECT_EQ(DidYouMean("sdd", {"hdd", "ssd"}), "did you mean 'hdd'?");
  EXPECT_EQ(DidYouMean("replicas", {"replica", "image"}), "did you mean 'replica'?");
  EXPECT_EQ(DidYouMean("banana", {"hdd", "ssd"}), "");
}

TEST(DiagTest, RendersSourceLineAndCaret) {
  uint32_t file = SourceFiles::Add("bp.yaml", "apps:\n  - tier: sdd\n");
  Diagnostic d;
  d.loc = {file, 2, 11};
  d.path = "apps[0].tier";
  d.summary = "expected one of hdd, ssd";
  d.hint = "did you mean 'ssd'?";
  EXPECT_EQ(RenderDiagnostic(d, false),
            "bp.yaml:2:11: error: apps[0].tier: expected one of hdd, ssd\n"
            " 2 |   - tier: sdd\n"
            "   |           ^~~\n"
            "  hint: did you mean 'ssd'?\n");
}

}  // namespace
}  // namespace cairn
