// Schema patterns: the linear-time engine must accept what the blueprint schema needs and agree
// with ECMAScript on it, long values must not crash validation, and ECMAScript-only patterns
// still work through the fallback.
#include "engine/blueprint/schema_pattern.h"

#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "engine/base/json.h"
#include "engine/blueprint/json_schema.h"

namespace cairn::blueprint {
namespace {

void CollectPatterns(const Value& node, std::set<std::string>* out) {
  if (node.is_list()) {
    for (const Value& item : node.AsList()) CollectPatterns(item, out);
    return;
  }
  if (!node.is_map()) return;
  for (const auto& [key, child] : node.AsMap()) {
    if (key == "pattern" && child.is_string()) out->insert(child.AsString());
    if (key == "patternProperties" && child.is_map())
      for (const auto& [pattern, sub] : child.AsMap()) out->insert(pattern);
    CollectPatterns(child, out);
  }
}

std::set<std::string> BlueprintSchemaPatterns() {
  std::ifstream in(std::string(CAIRN_SOURCE_DIR) + "/schemas/blueprint.schema.json");
  std::stringstream text;
  text << in.rdbuf();
  Result<Value> schema = ParseJson(text.str());
  EXPECT_TRUE(schema.ok());
  std::set<std::string> patterns;
  if (schema.ok()) CollectPatterns(schema.value(), &patterns);
  return patterns;
}

// Strings built from the characters the schema's patterns care about, plus the examples a
// user is likely to write, so that both outcomes of every pattern are exercised.
std::vector<std::string> Samples() {
  std::vector<std::string> out = {"",
                                  "a",
                                  "web",
                                  "pektin.record.mail",
                                  "kubernetes.object.cm-1",
                                  "Web.App",
                                  "v1.30.2+k3s1",
                                  "v1.30",
                                  "10.0.0.1:6443",
                                  "host :22",
                                  "500m",
                                  "1.5Gi",
                                  "2Ti",
                                  "env:TOKEN",
                                  "file:/run/secret",
                                  "https://example.org",
                                  "http:/x",
                                  "/dev/sda",
                                  "/data",
                                  "admin@example.org",
                                  "a@b@c",
                                  "*.example.org",
                                  "@",
                                  "eth0",
                                  "registry.local/app",
                                  "-leading",
                                  "trailing-",
                                  "with space"};
  std::mt19937 rng(7);
  const std::string alphabet = "az09.-_:/@*+ vkKiMGm\tAZ";
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    size_t n = rng() % 12;
    for (size_t j = 0; j < n; ++j) s.push_back(alphabet[rng() % alphabet.size()]);
    out.push_back(s);
  }
  return out;
}

TEST(SchemaPatternTest, EveryBlueprintSchemaPatternRunsInLinearTime) {
  std::set<std::string> patterns = BlueprintSchemaPatterns();
  ASSERT_GT(patterns.size(), 10u);
  for (const std::string& text : patterns) {
    std::string error;
    auto p = SchemaPattern::Compile(text, &error);
    ASSERT_NE(p, nullptr) << text << ": " << error;
    EXPECT_TRUE(p->linear_time()) << text;
  }
}

TEST(SchemaPatternTest, AgreesWithEcmaScriptOnTheBlueprintSchema) {
  std::vector<std::string> samples = Samples();
  for (const std::string& text : BlueprintSchemaPatterns()) {
    std::string error;
    auto p = SchemaPattern::Compile(text, &error);
    ASSERT_NE(p, nullptr) << text;
    std::regex ecma(text, std::regex::ECMAScript);
    int matched = 0;
    for (const std::string& s : samples) {
      bool expected = std::regex_search(s, ecma);
      ASSERT_EQ(p->Search(s), expected) << "pattern " << text << " on '" << s << "'";
      matched += expected;
    }
    // Both answers must occur, or the comparison says little about the pattern.
    EXPECT_GT(matched, 0) << text;
    EXPECT_LT(matched, static_cast<int>(samples.size())) << text;
  }
}

TEST(SchemaPatternTest, SearchesUnlessAnchored) {
  std::string error;
  auto inner = SchemaPattern::Compile("b+", &error);
  auto anchored = SchemaPattern::Compile("^b+$", &error);
  EXPECT_TRUE(inner->Search("abbbc"));
  EXPECT_FALSE(anchored->Search("abbbc"));
  EXPECT_TRUE(anchored->Search("bbb"));
  EXPECT_FALSE(anchored->Search("bbb\n"));  // $ is the end of the value, as in ECMAScript
}

TEST(SchemaPatternTest, CountsCodePointsAsJsonSchemaDoes) {
  std::string error;
  auto three = SchemaPattern::Compile("^.{3}$", &error);
  EXPECT_TRUE(three->Search("h\xc3\xa9\xc3\xa9"));  // "héé": 3 characters in 5 bytes
}

TEST(SchemaPatternTest, EcmaScriptOnlyPatternsUseTheFallback) {
  std::string error;
  auto not_admin = SchemaPattern::Compile("^(?!admin$)[a-z]+$", &error);
  ASSERT_NE(not_admin, nullptr) << error;
  EXPECT_FALSE(not_admin->linear_time());
  EXPECT_FALSE(not_admin->Search("admin"));
  EXPECT_TRUE(not_admin->Search("administrator"));
  auto repeated = SchemaPattern::Compile("^(a+)-\\1$", &error);
  ASSERT_NE(repeated, nullptr) << error;
  EXPECT_TRUE(repeated->Search("aa-aa"));
  EXPECT_FALSE(repeated->Search("aa-a"));
}

TEST(SchemaPatternTest, InvalidPatternSaysWhy) {
  std::string error;
  EXPECT_EQ(SchemaPattern::Compile("(unclosed", &error), nullptr);
  EXPECT_FALSE(error.empty());
}

// A backtracking engine recurses per character here and overflows the stack on a value of a
// few hundred kilobytes; a pasted certificate or a generated value can be that long.
TEST(SchemaPatternTest, LongValueIsCheckedWithoutCrashing) {
  JsonSchema js(ParseJson(R"({"type":"object","properties":{
                    "cert":{"type":"string","pattern":"^(?:[A-Za-z0-9+/=]|\\s)*$"}}})")
                    .value());
  ASSERT_TRUE(js.schema_problems().empty());
  std::string good(4 << 20, 'A');
  Value ok = Value::EmptyMap();
  ok["cert"] = Value(good);
  Diagnostics diags;
  js.Validate(ok, "", &diags);
  EXPECT_TRUE(diags.items().empty());
  Value bad = Value::EmptyMap();
  bad["cert"] = Value(good + "!");
  js.Validate(bad, "", &diags);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_NE(diags.items()[0].summary.find("does not match the pattern"), std::string::npos);
}

}  // namespace
}  // namespace cairn::blueprint
