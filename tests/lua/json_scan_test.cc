// ScanJson against nlohmann's SAX parser: whatever ScanJson accepts, nlohmann accepts with the
// same events, and whatever nlohmann rejects, ScanJson rejects (json.decode then reports
// nlohmann's message). Checked on edge cases and on many mutations of valid documents.
#include "engine/lua/modules/json_scan.h"

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace cairn::lua {
namespace {

using Json = nlohmann::json;

// Writes every event as text, for ScanJson (capitalised methods) and nlohmann (lower-case).
struct Recorder {
  std::string out;

  void Add(const char* tag, const std::string& v = "") { out += std::string(tag) + "(" + v + ")"; }
  void Null() { Add("null"); }
  void Bool(bool b) { Add(b ? "true" : "false"); }
  void Integer(int64_t i) { Add("int", std::to_string(i)); }
  void Unsigned(uint64_t u) { Add("uint", std::to_string(u)); }
  void Float(double d) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    Add("float", buf);
  }
  void String(std::string_view s) { Add("str", std::string(s)); }
  void Key(std::string_view k) { Add("key", std::string(k)); }
  void StartObject() { Add("{"); }
  void EndObject() { Add("}"); }
  void StartArray() { Add("["); }
  void EndArray() { Add("]"); }

  bool null() { return Null(), true; }
  bool boolean(bool b) { return Bool(b), true; }
  bool number_integer(Json::number_integer_t i) { return Integer(i), true; }
  bool number_unsigned(Json::number_unsigned_t u) { return Unsigned(u), true; }
  bool number_float(Json::number_float_t d, const Json::string_t&) { return Float(d), true; }
  bool string(Json::string_t& s) { return String(s), true; }
  bool binary(Json::binary_t&) { return Add("binary"), true; }
  bool key(Json::string_t& k) { return Key(k), true; }
  bool start_object(std::size_t) { return StartObject(), true; }
  bool start_array(std::size_t) { return StartArray(), true; }
  bool end_object() { return EndObject(), true; }
  bool end_array() { return EndArray(), true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }
};

// Empty when the readers agree, else what differs.
std::string Compare(const std::string& text) {
  Recorder scan, sax;
  bool scanned = ScanJson(text, &scan);
  bool parsed = Json::sax_parse(text, &sax);
  if (scanned && !parsed) return "ScanJson accepts what nlohmann rejects: " + text;
  if (scanned && scan.out != sax.out)
    return "events differ for " + text + "\n  scan: " + scan.out + "\n  sax:  " + sax.out;
  return "";
}

TEST(JsonScanTest, ReadsValidDocumentsLikeNlohmann) {
  const char* docs[] = {
      "0",
      "-0",
      "1",
      "-1",
      "42",
      " 7 ",
      "9223372036854775807",
      "9223372036854775808",
      "-9223372036854775808",
      "-9223372036854775809",
      "18446744073709551615",
      "18446744073709551616",
      "123456789012345678901234567890",
      "-123456789012345678901234567890",
      "0.5",
      "-0.0",
      "1.0",
      "1e2",
      "1E2",
      "1e+2",
      "1e-2",
      "2.5e-3",
      "1.5e-400",
      "1e-320",
      "6.02214076e23",
      "0e0",
      "true",
      "false",
      "null",
      "\"\"",
      "\"abc\"",
      "\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"",
      "\"\\u0041\\u00e9\\u20ac\\uFFFF\"",
      "\"\\ud83d\\ude00\"",
      "\"\\uD83D\\uDE00x\"",
      "\"a\\u0000b\"",
      "\"\x7f\"",
      "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf\"",
      "[]",
      "{}",
      "[[]]",
      "[{}]",
      "{\"a\":{}}",
      " \t\r\n[ 1 , 2 ]\n",
      "[1,[2,[3,[4]]]]",
      "{\"a\":1,\"a\":2}",
      "{\"\":\"\"}",
      "{\"k\\u00e9y\":[true,false,null]}",
      "{\"metadata\":{\"name\":\"x\",\"managedFields\":[{\"f:a\":{}}]},\"items\":[1.5,-2,\"s\"]}"};
  for (const char* doc : docs) {
    Recorder scan;
    EXPECT_TRUE(ScanJson(doc, &scan)) << doc;
    EXPECT_EQ(Compare(doc), "");
  }
}

TEST(JsonScanTest, RejectsWhatNlohmannRejects) {
  const char* docs[] = {
      "",
      " ",
      "-",
      "+1",
      "01",
      "-01",
      "1.",
      ".5",
      "1.e2",
      "1e",
      "1e+",
      "--1",
      "0x10",
      "1 2",
      "1e400",
      "-1e400",
      "NaN",
      "Infinity",
      "tru",
      "nul",
      "falsey",
      "[1,]",
      "[,1]",
      "{,}",
      "{\"a\"}",
      "{\"a\":}",
      "{\"a\":1,}",
      "{\"a\" 1}",
      "{1:2}",
      "[1",
      "{\"a\":1",
      "]",
      "}",
      "[}",
      "{]",
      "\"abc",
      "\"a\nb\"",
      "\"a\tb\"",
      "\"\\x\"",
      "\"\\u12\"",
      "\"\\u12G4\"",
      "\"\\ud800\"",
      "\"\\ud800x\"",
      "\"\\ud800\\u0041\"",
      "\"\\udc00\"",
      "\"\xc0\x80\"",
      "\"\xc1\xbf\"",
      "\"\xe0\x80\x80\"",
      "\"\xed\xa0\x80\"",
      "\"\xf0\x80\x80\x80\"",
      "\"\xf4\x90\x80\x80\"",
      "\"\xf5\x80\x80\x80\"",
      "\"\xff\"",
      "\"\xc3\"",
      "\"\xe2\x82\"",
      "\"\x80\"",
      "[1]x",
      "{} {}",
      "\f1",
      "/* c */ 1",
      "[1] // c",
      "\xef\xbb\xbf[1]"};  // nlohmann skips a byte order mark: ScanJson leaves that to it
  for (const char* doc : docs) {
    Recorder scan;
    EXPECT_FALSE(ScanJson(doc, &scan)) << doc;
    EXPECT_EQ(Compare(doc), "");
  }
  std::string big_integer = "1" + std::string(400, '0');
  EXPECT_EQ(Compare(big_integer), "");
  Recorder scan;
  EXPECT_FALSE(ScanJson(big_integer, &scan)) << "not finite as a float";
}

// Random byte edits of valid documents: the readers agree on every result.
TEST(JsonScanTest, AgreesWithNlohmannOnMutatedDocuments) {
  const std::vector<std::string> seeds = {
      R"({"a": [1, -2.5e3, "x\u00e9\ud83d\ude00", true, null, {"b": {}}], "c": "caf)"
      "\xc3\xa9\"}",
      R"([{"metadata": {"name": "n", "labels": {"k": "v"}}, "spec": {"replicas": 3}}, 0, -0])",
      R"({"n": 18446744073709551615, "m": -9223372036854775808, "f": 1e-7, "e": ""})"};
  const char alphabet[] = "{}[]\":,\\u0123456789abcdefABCDEF.eE+-tfn \t\n\x7f\x80\xbf\xc3\xed\xf0";
  std::mt19937 rng(20261130);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string doc = seeds[i % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % (doc.size() + 1);
      char c = alphabet[rng() % (sizeof alphabet - 1)];
      switch (rng() % 3) {
        case 0: doc.insert(doc.begin() + static_cast<long>(at), c); break;
        case 1:
          if (at < doc.size()) doc.erase(at, 1);
          break;
        default:
          if (at < doc.size()) doc[at] = c;
          break;
      }
    }
    std::string diff = Compare(doc);
    ASSERT_EQ(diff, "");
    Recorder scan;
    if (ScanJson(doc, &scan)) ++accepted;
  }
  // The edits leave a fair share of valid documents, so both directions are exercised.
  EXPECT_GT(accepted, 1000);
}

}  // namespace
}  // namespace cairn::lua
