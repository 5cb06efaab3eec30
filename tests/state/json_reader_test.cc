// The fast state.json reader must read exactly what nlohmann's parser reads, kinds included, and
// leave everything unusual (and every error) to it.
#include "engine/state/json_reader.h"

#include <functional>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "engine/base/json.h"

namespace cairn::state {
namespace {

void ExpectSameKinds(const Value& fast, const Value& ref, const std::string& path) {
  ASSERT_EQ(fast.kind(), ref.kind()) << path;
  if (fast.is_map()) {
    ASSERT_EQ(fast.size(), ref.size()) << path;
    for (const auto& [k, child] : ref.AsMap()) {
      ASSERT_NE(fast.Find(k), nullptr) << path << "." << k;
      ExpectSameKinds(*fast.Find(k), child, path + "." + k);
    }
  } else if (fast.is_list()) {
    ASSERT_EQ(fast.size(), ref.size()) << path;
    for (size_t i = 0; i < ref.size(); ++i)
      ExpectSameKinds(fast.AsList()[i], ref.AsList()[i], path + "[" + std::to_string(i) + "]");
  } else if (fast.is_unknown()) {
    EXPECT_EQ(fast.UnknownOrigin(), ref.UnknownOrigin()) << path;
  } else {
    EXPECT_EQ(fast, ref) << path;
  }
}

// Returns whether the fast reader accepted `text`; when it did, it must agree with ParseJson.
bool Compare(const std::string& text) {
  Value fast;
  if (!ReadJsonFast(text, &fast)) return false;
  Result<Value> ref = ParseJson(text);
  EXPECT_TRUE(ref.ok()) << "accepted what nlohmann rejects: " << text;
  if (ref.ok()) ExpectSameKinds(fast, *ref, "");
  EXPECT_FALSE(::testing::Test::HasFailure()) << text;
  return true;
}

TEST(JsonReaderTest, ReadsStateShapedJsonAsNlohmannDoes) {
  const char* accepted[] = {
      R"({"version": 1, "serial": 12, "lineage": "a-b", "resources": [
          {"address": "null.data.r1", "attributes": {"input": "v", "output": {"$unknown": "x.id"}}},
          {"address": "q", "attributes": {"n": -0, "f": 1.5, "e": 2E+3, "g": -1e-2, "big": 123456789012345678}}
        ], "history": [], "empty": {}, "t": true, "f": false, "z": null})",
      R"({"esc": "q\"b\\s\/n\nt\tr\rb\bf\f u\u0041\u001f"})",
      R"({"dup": 1, "dup": "later wins"})",
      "{\"utf8\": \"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\", \"k\xc3\xa9y\": 1}",
      R"({"bmp": "\u00e9\u20ac", "pair": "\ud83d\ude00"})",
      R"({"not unknown": {"$unknown": 5}, "two": {"$unknown": "a", "b": 1}})",
      "  [1, 2.0, [], [[]], {\"a\": [true]}]  \n",
      "\"just a string\"",
      "0",
  };
  for (const char* text : accepted) EXPECT_TRUE(Compare(text)) << "not accepted: " << text;
}

TEST(JsonReaderTest, LeavesTheUnusualAndTheInvalidToNlohmann) {
  const char* refused[] = {
      "",                           // empty
      "{",                          // truncated
      "{\"a\": 1,}",                // trailing comma
      "[01]",                       // leading zero
      "{\"a\": 1} x",               // trailing text
      "{'a': 1}",                   // single quotes
      "{\"a\": \"\xc3\"}",          // truncated UTF-8
      "{\"a\": \"\xed\xa0\x80\"}",  // an encoded surrogate
      "{\"a\": \"\\ud83d\"}",       // a lone high surrogate
      "{\"a\": \"\\ude00\"}",       // a lone low surrogate
      "{\"a\": \"tab\there\"}",     // a raw control character
      "[12345678901234567890]",     // beyond int64
      "[1.]",                       // no fraction digits
      "[tru]",                      // bad literal
      "{\"a\" 1}",                  // no colon
  };
  for (const char* text : refused) {
    Value v;
    EXPECT_FALSE(ReadJsonFast(text, &v)) << "accepted: " << text;
  }
}

// Random documents: whatever the fast reader accepts, nlohmann reads the same way.
TEST(JsonReaderTest, RandomDocumentsReadTheSame) {
  std::mt19937 rng(1130);
  auto pick = [&rng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  const char* atoms[] = {"0",
                         "-7",
                         "42",
                         "3.25",
                         "-1e3",
                         "1E-2",
                         "true",
                         "false",
                         "null",
                         "\"s\"",
                         "\"a\\nb\"",
                         "\"\"",
                         "\"\\u0020\"",
                         "{\"$unknown\": \"o\"}",
                         "999999999999999999",
                         "-0.0",
                         "[]",
                         "{}"};
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    int r = depth > 4 ? 0 : pick(3);
    if (r == 0) return atoms[pick(18)];
    std::string ws = pick(3) == 0 ? " \n\t" : "";
    if (r == 1) {
      std::string out = "[" + ws;
      for (int i = 0, n = pick(4); i < n; ++i) out += (i ? "," + ws : "") + gen(depth + 1);
      return out + ws + "]";
    }
    std::string out = "{" + ws;
    for (int i = 0, n = pick(4); i < n; ++i)
      out +=
          (i ? "," : "") + ws + "\"k" + std::to_string(pick(3)) + "\"" + ws + ":" + gen(depth + 1);
    return out + "}";
  };
  int accepted = 0;
  for (int i = 0; i < 2000 && !::testing::Test::HasFailure(); ++i)
    accepted += Compare(gen(0)) ? 1 : 0;
  EXPECT_EQ(accepted, 2000) << "every generated document is plain JSON the fast reader takes";
}

}  // namespace
}  // namespace cairn::state
