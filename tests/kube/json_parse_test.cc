// Request bodies are parsed by a fast path that must build exactly what nlohmann's parser builds
// (same values, same number types, same rejections).
#include "tests/emulators/kube/json_parse.h"

#include <gtest/gtest.h>

namespace cairn::emulators {
namespace {

void ExpectSameAsNlohmann(const std::string& text) {
  nlohmann::json fast = ParseJson(text);
  nlohmann::json slow = nlohmann::json::parse(text, nullptr, false);
  ASSERT_EQ(fast.is_discarded(), slow.is_discarded()) << text;
  if (slow.is_discarded()) return;
  EXPECT_EQ(fast, slow) << text;
  EXPECT_EQ(fast.dump(), slow.dump()) << text;
  // Number types matter to validation (unsigned, signed, float): compare them leaf by leaf.
  nlohmann::json flat_fast = fast.is_structured() ? fast.flatten() : fast;
  nlohmann::json flat_slow = slow.is_structured() ? slow.flatten() : slow;
  if (!fast.is_structured()) {
    EXPECT_EQ(fast.type(), slow.type()) << text;
    return;
  }
  for (auto it = flat_slow.begin(); it != flat_slow.end(); ++it)
    EXPECT_EQ(flat_fast[it.key()].type(), it->type()) << text << " at " << it.key();
}

TEST(KubeJsonParse, SameValuesAndTypesAsNlohmann) {
  for (
      const char* text : {
          R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{}},"data":{}})",
          R"( { "a" : [ 1 , -2 , 0 , -0 , 123456789012345678 , true , false , null ] } )",
          R"({"big":1234567890123456789,"bigger":18446744073709551616,"neg":-9223372036854775809})",
          R"({"f":1.5,"e":1e3,"E":-2E-2,"z":0.0})",
          R"({"s":"tab\tnew\nline \"q\" back\\slash \/ \b\f\r"})",
          R"({"u":"\u00fc\ud83d\ude00","raw":"grüß"})",
          R"({"dup":1,"dup":{"x":2}})",
          R"([])",
          R"({})",
          R"("text")",
          "42",
          "-7",
          "true",
          "null",
          " \r\n\t[ [ [ ] ] ] ",
      }) {
    ExpectSameAsNlohmann(text);
  }
}

TEST(KubeJsonParse, RejectsWhatNlohmannRejects) {
  for (const char* text : {
           "",
           " ",
           "{",
           "}",
           "[1,]",
           "{\"a\":1,}",
           "{\"a\" 1}",
           "{a:1}",
           "01",
           "-",
           "1.",
           "\"unterminated",
           "\"ctrl\x01\"",
           "\"bad \\x escape\"",
           "[1] x",
           "// comment\n{}",
           "{\"a\":tru}",
           "nul",
           "\"\\ud800\"",
           "\"\xff\"",
       }) {
    ExpectSameAsNlohmann(text);
  }
}

}  // namespace
}  // namespace cairn::emulators
