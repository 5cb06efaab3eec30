#include "engine/base/value.h"

#include <string>
#include <thread>
#include <vector>

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

// Copies share their lists and maps until one is written; every way of writing must leave the
// other copies as they were, at any depth.
TEST(ValueTest, CopiesAreIndependentAfterEveryKindOfWrite) {
  Value original = Value::EmptyMap();
  original["meta"]["labels"]["app"] = "web";
  original["items"] = Value::List{Value(1), Value::EmptyMap()};
  original["items"].MutableList()[1]["deep"] = "x";
  const Value snapshot = original;  // a copy, compared against at the end
  const std::string before = original.ToString();

  Value a = original;
  a["meta"]["labels"]["app"] = "db";  // operator[] through two levels
  Value b = original;
  b.FindMutable("meta")->FindMutable("labels")->MutableMap().erase("app");
  Value c = original;
  c["items"].Push(Value(3));
  Value d = original;
  d["items"].MutableList()[1]["deep"] = "y";  // inside a map inside a list
  Value e = original;
  e.MutableMap().clear();
  Value f = original;
  f["meta"].FindMutable("labels")->sensitive = true;

  EXPECT_EQ(original.ToString(), before);
  EXPECT_EQ(original, snapshot);
  EXPECT_EQ(a.Find("meta")->Find("labels")->Find("app")->AsString(), "db");
  EXPECT_EQ(b.Find("meta")->Find("labels")->size(), 0u);
  EXPECT_EQ(c.Find("items")->size(), 3u);
  EXPECT_EQ(d.Find("items")->AsList()[1].Find("deep")->AsString(), "y");
  EXPECT_EQ(e.size(), 0u);
  EXPECT_TRUE(f.Find("meta")->Find("labels")->sensitive);
  EXPECT_FALSE(original.Find("meta")->Find("labels")->sensitive);
  EXPECT_FALSE(snapshot.Find("meta")->Find("labels")->sensitive);
  for (const Value* changed : {&a, &b, &c, &d, &e}) EXPECT_NE(*changed, original);

  // Writing the original leaves its earlier copies alone too.
  original["meta"]["labels"]["app"] = "cache";
  EXPECT_EQ(snapshot.Find("meta")->Find("labels")->Find("app")->AsString(), "web");
}

TEST(ValueTest, CopiesCanBeWrittenFromSeveralThreads) {
  Value shared = Value::EmptyMap();
  for (int i = 0; i < 100; ++i) shared["k" + std::to_string(i)]["n"] = i;
  std::vector<Value> copies(4, shared);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < copies.size(); ++t)
    threads.emplace_back([&copies, t] {
      for (int i = 0; i < 100; ++i) copies[t]["k" + std::to_string(i)]["n"] = static_cast<int>(t);
    });
  for (std::thread& th : threads) th.join();
  for (size_t t = 0; t < copies.size(); ++t)
    EXPECT_EQ(copies[t].Find("k7")->Find("n")->AsInt(), static_cast<int64_t>(t));
  EXPECT_EQ(shared.Find("k7")->Find("n")->AsInt(), 7);
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
