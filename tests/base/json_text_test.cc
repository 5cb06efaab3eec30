// json_text reads and writes JSON strings as nlohmann does, wherever in a string (and wherever in
// the surrounding text) a character that needs care falls: the readers and writers look at
// several bytes at once, so each position around those blocks is tried.
#include "engine/base/json_text.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cairn {
namespace {

// Characters that end a run of plain ones, as they appear in a JSON document's text.
struct Special {
  std::string encoded;  // inside the quotes of the document
  std::string decoded;  // what the string holds ("" with valid=false: not readable)
  bool valid = true;
};

const std::vector<Special>& Specials() {
  static const std::vector<Special> all = {
      {"\\\"", "\""},
      {"\\\\", "\\"},
      {"\\n", "\n"},
      {"\\u00e9", "\xc3\xa9"},
      {"\\ud83d\\ude00", "\xf0\x9f\x98\x80"},
      {"\xc3\xa9", "\xc3\xa9"},
      {"\xe2\x82\xac", "\xe2\x82\xac"},
      {"\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"},
      {"\x01", "", false},  // a raw control character
      {"\xff", "", false},  // not UTF-8
      {"\xc3", "", false},  // a sequence cut short
      {"\\x", "", false},   // an unknown escape
  };
  return all;
}

TEST(JsonTextTest, ReadStringFindsEverySpecialCharacterAtEveryOffset) {
  for (const Special& sp : Specials()) {
    for (size_t before = 0; before <= 40; ++before) {
      for (size_t after : {0, 1, 15, 16, 17, 33}) {
        std::string text = "\"" + std::string(before, 'a') + sp.encoded + std::string(after, 'b') +
                           "\"" + std::string(20, ' ');  // room past the string, as in a document
        const char* p = text.data();
        std::string scratch;
        std::string_view got;
        bool ok = json_text::ReadString(p, text.data() + text.size(), &scratch, &got);
        std::string where = "special " + sp.encoded + " after " + std::to_string(before);
        ASSERT_EQ(ok, sp.valid) << where;
        if (!ok) continue;
        std::string want = std::string(before, 'a') + sp.decoded + std::string(after, 'b');
        EXPECT_EQ(got, want) << where;
        EXPECT_EQ(got, nlohmann::json::parse(text).get<std::string>()) << where;
        EXPECT_EQ(p, text.data() + text.size() - 20) << where;  // just after the closing quote
      }
    }
  }
}

TEST(JsonTextTest, ReadStringWithoutClosingQuoteFailsAtAnyLength) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string text = "\"" + std::string(n, 'a');
    const char* p = text.data();
    std::string scratch;
    std::string_view got;
    EXPECT_FALSE(json_text::ReadString(p, text.data() + text.size(), &scratch, &got)) << n;
  }
}

TEST(JsonTextTest, AppendQuotedWritesWhatNlohmannDumpsAtEveryOffset) {
  const std::vector<std::string> specials = {
      "\"",   "\\",       "\n",           std::string("\x01", 1),
      "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
      "/"};
  for (const std::string& special : specials) {
    for (size_t before = 0; before <= 40; ++before) {
      for (size_t after : {0, 1, 15, 16, 17, 33}) {
        std::string s = std::string(before, 'a') + special + std::string(after, 'b');
        std::string out;
        ASSERT_TRUE(json_text::AppendQuoted(s, &out));
        EXPECT_EQ(out, nlohmann::json(s).dump()) << "special at " << before;
      }
    }
  }
  for (size_t before = 0; before <= 40; ++before) {
    std::string out;
    EXPECT_FALSE(json_text::AppendQuoted(std::string(before, 'a') + "\xff", &out)) << before;
  }
}

}  // namespace
}  // namespace cairn
