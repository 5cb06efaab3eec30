#include "engine/blueprint/json_schema.h"

#include <gtest/gtest.h>

#include "engine/base/json.h"
#include "engine/blueprint/blueprint.h"
#include "tests/blueprint/blueprint_test_util.h"

namespace cairn::blueprint {
namespace {

Value Schema(const std::string& json) {
  Result<Value> v = ParseJson(json);
  EXPECT_TRUE(v.ok()) << v.status().message();
  return v.ok() ? v.value() : Value();
}

/// Validates YAML `instance` against JSON `schema`; returns "line:col path: summary [hint]"
/// per error, joined by newlines ("" when valid).
std::string Errors(const std::string& schema, const std::string& instance) {
  Blueprint bp;
  testing::AssertLoad(&bp, instance, "i.yaml");
  JsonSchema js(Schema(schema));
  EXPECT_TRUE(js.schema_problems().empty());
  Diagnostics diags;
  js.Validate(bp.root, "", &diags, &bp.key_locs);
  std::string out;
  for (const Diagnostic& d : diags.items()) {
    if (!out.empty()) out += "\n";
    out += std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) + " ";
    if (!d.path.empty()) out += d.path + ": ";
    out += d.summary;
    if (!d.hint.empty()) out += " [" + d.hint + "]";
  }
  return out;
}

TEST(JsonSchemaTest, TypeMismatchSaysWhatWasExpectedAndWhatWasFound) {
  const char* s = R"({"type":"object","properties":{"a":{"type":"string"}}})";
  EXPECT_EQ(Errors(s, "a: {x: 1}\n"), "1:4 a: expected string, got map");
  EXPECT_EQ(Errors(s, "a: [1]\n"), "1:4 a: expected string, got list");
  EXPECT_EQ(Errors(s, "a: hi\n"), "");
  EXPECT_EQ(Errors(s, "- 1\n"), "1:1 expected map, got list");
}

TEST(JsonSchemaTest, IntegerAcceptsIntegralNumbersOnly) {
  const char* s = R"({"properties":{"n":{"type":"integer"}}})";
  EXPECT_EQ(Errors(s, "n: 3\n"), "");
  EXPECT_EQ(Errors(s, "n: 3.0\n"), "");
  EXPECT_EQ(Errors(s, "n: 3.5\n"), "1:4 n: expected integer, got number");
  EXPECT_EQ(Errors(s, "n: '3'\n"), "1:4 n: expected integer, got string");
}

TEST(JsonSchemaTest, TypeListsAcceptAnyListedType) {
  const char* s = R"({"properties":{"v":{"type":["string","integer"]}}})";
  EXPECT_EQ(Errors(s, "v: x\n"), "");
  EXPECT_EQ(Errors(s, "v: 2\n"), "");
  EXPECT_EQ(Errors(s, "v: true\n"), "1:4 v: expected string or integer, got bool");
}

TEST(JsonSchemaTest, RequiredPointsAtTheMap) {
  const char* s = R"({"properties":{"app":{"required":["name","image"]}}})";
  EXPECT_EQ(Errors(s, "app:\n  name: x\n"), "2:3 app: missing required property 'image'");
}

TEST(JsonSchemaTest, RequiredHintsAtAMisspeltKeyWhenTheMapIsOpen) {
  const char* s = R"({"required":["image"]})";
  EXPECT_EQ(Errors(s, "imgae: x\n"),
            "1:1 missing required property 'image' ['imgae' is set; is it a misspelling?]");
}

TEST(JsonSchemaTest, UnknownPropertyPointsAtTheKeyWithDidYouMean) {
  const char* s = R"({"properties":{"replicas":{},"image":{}},"additionalProperties":false})";
  EXPECT_EQ(Errors(s, "image: x\nreplcas:   3\n"),
            "2:1 unknown property 'replcas' [did you mean 'replicas'?]");
  EXPECT_EQ(Errors(s, "zzz: 1\n"), "1:1 unknown property 'zzz' [allowed here: image, replicas]");
}

TEST(JsonSchemaTest, AdditionalPropertiesSchemaChecksExtraValues) {
  const char* s = R"({"properties":{"a":{}},"additionalProperties":{"type":"integer"}})";
  EXPECT_EQ(Errors(s, "a: x\nb: 1\nc: y\n"), "3:4 c: expected integer, got string");
}

TEST(JsonSchemaTest, PatternPropertiesApplyByKeyRegex) {
  const char* s = R"({"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false})";
  EXPECT_EQ(Errors(s, "x-a: s\n"), "");
  EXPECT_EQ(Errors(s, "x-a: 1\n"), "1:6 x-a: expected string, got integer");
  EXPECT_EQ(Errors(s, "y: 1\n"), "1:1 unknown property 'y'");
}

TEST(JsonSchemaTest, PropertyNamesPointAtTheKey) {
  const char* s = R"({"propertyNames":{"pattern":"^[a-z]+$"}})";
  EXPECT_EQ(Errors(s, "good: 1\nBad_Key: 2\n"),
            "2:1 key 'Bad_Key': does not match the pattern ^[a-z]+$");
}

TEST(JsonSchemaTest, KeysWithDotsAreQuotedInPaths) {
  const char* s = R"({"additionalProperties":{"type":"object"}})";
  EXPECT_EQ(Errors(s, "local.file.a: 1\n"), "1:15 [\"local.file.a\"]: expected map, got integer");
}

TEST(JsonSchemaTest, ItemsAndPrefixItems) {
  const char* s = R"({"prefixItems":[{"type":"string"}],"items":{"type":"integer"}})";
  EXPECT_EQ(Errors(s, "[a, 1, 2]\n"), "");
  EXPECT_EQ(Errors(s, "[1, 1, x]\n"),
            "1:2 [0]: expected string, got integer\n1:8 [2]: expected integer, got string");
  const char* closed = R"({"prefixItems":[{}],"items":false})";
  EXPECT_EQ(Errors(closed, "[1, 2]\n"), "1:5 [1]: too many items: at most 1 allowed");
}

TEST(JsonSchemaTest, ListSizeAndUniqueness) {
  const char* s = R"({"minItems":2,"maxItems":3,"uniqueItems":true})";
  EXPECT_EQ(Errors(s, "[1]\n"), "1:1 must have at least 2 items");
  EXPECT_EQ(Errors(s, "[1, 2, 3, 4]\n"), "1:1 must have at most 3 items, got 4");
  EXPECT_EQ(Errors(s, "[a, b, a]\n"), "1:8 [2]: duplicate item, same as [0]");
  EXPECT_EQ(Errors(R"({"minItems":1})", "[]\n"), "1:1 must not be empty");
}

TEST(JsonSchemaTest, EnumSuggestsTheClosestValue) {
  const char* s = R"({"properties":{"media":{"enum":["hdd","ssd"]}}})";
  EXPECT_EQ(Errors(s, "media: sdd\n"),
            "1:8 media: expected one of \"hdd\", \"ssd\", got \"sdd\" [did you mean 'ssd'?]");
  EXPECT_EQ(Errors(s, "media: tape\n"),
            "1:8 media: expected one of \"hdd\", \"ssd\", got \"tape\"");
}

TEST(JsonSchemaTest, Const) {
  const char* s = R"({"properties":{"v":{"const":1}}})";
  EXPECT_EQ(Errors(s, "v: 1.0\n"), "");
  EXPECT_EQ(Errors(s, "v: 2\n"), "1:4 v: expected 1, got 2");
}

TEST(JsonSchemaTest, StringLengthPatternAndFormat) {
  EXPECT_EQ(Errors(R"({"minLength":2,"maxLength":3})", "x\n"),
            "1:1 must be at least 2 characters long");
  EXPECT_EQ(Errors(R"({"maxLength":3})", "abcd\n"), "1:1 must be at most 3 characters long, got 4");
  EXPECT_EQ(Errors(R"({"maxLength":2})", "\"äö\"\n"), "");  // code points, not bytes
  EXPECT_EQ(Errors(R"({"minLength":1})", "''\n"), "1:1 must not be empty");
  // Patterns are searched, not anchored, as JSON Schema says.
  EXPECT_EQ(Errors(R"({"pattern":"b"})", "abc\n"), "");
  EXPECT_EQ(Errors(R"({"pattern":"^b"})", "abc\n"), "1:1 does not match the pattern ^b");
}

TEST(JsonSchemaTest, Formats) {
  auto f = [](const char* format, const char* value) {
    return Errors(std::string(R"({"format":")") + format + "\"}", std::string("'") + value + "'\n");
  };
  EXPECT_EQ(f("ipv4", "192.168.1.10"), "");
  EXPECT_EQ(f("ipv4", "192.168.1.300"), "1:1 \"192.168.1.300\" is not an IPv4 address");
  EXPECT_EQ(f("ipv4", "10.0.0"), "1:1 \"10.0.0\" is not an IPv4 address");
  EXPECT_EQ(f("ipv6", "2001:db8::1"), "");
  EXPECT_EQ(f("ipv6", "2001:db8:::1"), "1:1 \"2001:db8:::1\" is not an IPv6 address");
  EXPECT_EQ(f("hostname", "mail.example.org"), "");
  EXPECT_EQ(f("hostname", "-bad.example.org"), "1:1 \"-bad.example.org\" is not a host name");
  EXPECT_EQ(f("cidr", "10.0.0.0/8"), "");
  EXPECT_EQ(f("cidr", "fd00::/64"), "");
  EXPECT_EQ(f("cidr", "10.0.0.0/33"),
            "1:1 \"10.0.0.0/33\" is not a CIDR range such as 10.0.0.0/24");
  EXPECT_EQ(f("duration", "1h30m"), "");
  EXPECT_EQ(f("duration", "P1DT2H"), "");
  EXPECT_EQ(f("duration", "30"), "1:1 \"30\" is not a duration such as 30s, 1h30m, 7d or P1D");
  EXPECT_EQ(f("cron", "0 3 * * *"), "");
  EXPECT_EQ(f("cron", "@daily"), "");
  EXPECT_EQ(f("cron", "0 3 * *"),
            "1:1 \"0 3 * *\" is not a cron schedule such as \"0 3 * * *\" or @daily");
  EXPECT_EQ(f("uri", "https://minio:9000"), "");
  EXPECT_EQ(f("no-such-format", "anything"), "");  // unknown formats only annotate
}

TEST(JsonSchemaTest, NumericBounds) {
  EXPECT_EQ(Errors(R"({"minimum":1,"maximum":3})", "0\n"), "1:1 must be at least 1, got 0");
  EXPECT_EQ(Errors(R"({"minimum":1,"maximum":3})", "4\n"), "1:1 must be at most 3, got 4");
  EXPECT_EQ(Errors(R"({"exclusiveMinimum":0})", "0\n"), "1:1 must be greater than 0, got 0");
  EXPECT_EQ(Errors(R"({"exclusiveMaximum":10})", "10\n"), "1:1 must be less than 10, got 10");
  // OpenAPI 3.0 boolean form.
  EXPECT_EQ(Errors(R"({"minimum":0,"exclusiveMinimum":true})", "0\n"),
            "1:1 must be greater than 0, got 0");
  EXPECT_EQ(Errors(R"({"multipleOf":5})", "12\n"), "1:1 must be a multiple of 5, got 12");
  EXPECT_EQ(Errors(R"({"minimum":1})", "x\n"), "");  // numeric keywords ignore strings
}

TEST(JsonSchemaTest, MapSizeAndDependentRequired) {
  EXPECT_EQ(Errors(R"({"minProperties":1})", "{}\n"), "1:1 must not be empty");
  EXPECT_EQ(Errors(R"({"maxProperties":1})", "{a: 1, b: 2}\n"), "1:1 must have at most 1 entries");
  EXPECT_EQ(Errors(R"({"dependentRequired":{"cert":["key"]}})", "cert: x\n"),
            "1:1 property 'key' is required when 'cert' is set");
}

TEST(JsonSchemaTest, AllOfReportsEveryFailure) {
  const char* s = R"({"allOf":[{"required":["a"]},{"required":["b"]}]})";
  EXPECT_EQ(Errors(s, "c: 1\n"),
            "1:1 missing required property 'a'\n1:1 missing required property 'b'");
}

TEST(JsonSchemaTest, AnyOfPassesWhenOneBranchMatches) {
  const char* s = R"({"anyOf":[{"type":"string"},{"type":"integer","minimum":10}]})";
  EXPECT_EQ(Errors(s, "x\n"), "");
  EXPECT_EQ(Errors(s, "12\n"), "");
  // The integer branch is the one the user meant: its error is shown, not the type noise.
  EXPECT_EQ(Errors(s, "3\n"), "1:1 must be at least 10, got 3");
}

TEST(JsonSchemaTest, OneOfWithOnlyTypeMismatchesNamesTheAcceptedTypes) {
  const char* s = R"({"oneOf":[{"type":"string"},{"type":"object"}]})";
  EXPECT_EQ(Errors(s, "[1]\n"), "1:1 expected string or map, got list");
}

TEST(JsonSchemaTest, OneOfPicksTheBranchWhoseDiscriminatorMatches) {
  const char* s = R"({"oneOf":[
      {"properties":{"kind":{"const":"disk"},"size":{"type":"integer"}},"required":["kind"]},
      {"properties":{"kind":{"const":"tmpfs"},"pages":{"type":"integer"}},"required":["kind"]}]})";
  EXPECT_EQ(Errors(s, "kind: tmpfs\npages: many\n"), "2:8 pages: expected integer, got string");
  EXPECT_EQ(Errors(s, "kind: disk\nsize: 3\n"), "");
}

TEST(JsonSchemaTest, OneOfRejectsAValueMatchingTwoForms) {
  const char* s = R"({"oneOf":[{"type":"integer"},{"minimum":0}]})";
  EXPECT_EQ(Errors(s, "5\n"), "1:1 matches more than one of the allowed forms (1 and 2)");
}

TEST(JsonSchemaTest, Not) {
  const char* s = R"({"not":{"title":"both 'a' and 'b'","required":["a","b"]}})";
  EXPECT_EQ(Errors(s, "a: 1\n"), "");
  EXPECT_EQ(Errors(s, "a: 1\nb: 2\n"), "1:1 must not be both 'a' and 'b' (excluded by 'not')");
}

TEST(JsonSchemaTest, IfThenElse) {
  const char* s = R"({"if":{"properties":{"mode":{"const":"vpn"}},"required":["mode"]},
                      "then":{"required":["vpn"]},"else":{"properties":{"vpn":false}}})";
  EXPECT_EQ(Errors(s, "mode: vpn\n"), "1:1 missing required property 'vpn'");
  EXPECT_EQ(Errors(s, "mode: local\n"), "");
  EXPECT_EQ(Errors(s, "mode: local\nvpn: {}\n"), "2:6 vpn: no value is allowed here");
}

TEST(JsonSchemaTest, RefsToDefsAndDefinitions) {
  const char* s = R"({"properties":{"a":{"$ref":"#/$defs/port"},"b":{"$ref":"#/definitions/name"}},
                      "$defs":{"port":{"type":"integer","maximum":65535}},
                      "definitions":{"name":{"type":"string"}}})";
  EXPECT_EQ(Errors(s, "a: 70000\nb: 1\n"),
            "1:4 a: must be at most 65535, got 70000\n2:4 b: expected string, got integer");
  EXPECT_EQ(Errors(R"({"$ref":"#/$defs/missing"})", "1\n"),
            "1:1 schema error: cannot resolve $ref '#/$defs/missing'");
}

TEST(JsonSchemaTest, RecursiveRefsTerminate) {
  const char* s =
      R"({"$defs":{"tree":{"type":"object","additionalProperties":{"$ref":"#/$defs/tree"}}},
                      "$ref":"#/$defs/tree"})";
  EXPECT_EQ(Errors(s, "a: {b: {c: {}}}\n"), "");
  EXPECT_EQ(Errors(s, "a: {b: 1}\n"), "1:8 a.b: expected map, got integer");
  EXPECT_EQ(Errors(R"({"$ref":"#"})", "1\n"), "1:1 schema error: $ref nesting too deep");
}

TEST(JsonSchemaTest, AnnotationsAndOpenApiExtensionsAreHarmless) {
  const char* s = R"({"type":"object","description":"d","title":"t","default":{},
      "markdownDescription":"m","x-kubernetes-preserve-unknown-fields":true,
      "properties":{"n":{"type":"string","nullable":true},
                    "q":{"x-kubernetes-int-or-string":true}}})";
  EXPECT_EQ(Errors(s, "n: null\nq: 3\n"), "");
  EXPECT_EQ(Errors(s, "q: [1]\n"), "1:4 q: expected integer or string, got list");
}

TEST(JsonSchemaTest, BooleanSchemas) {
  EXPECT_EQ(Errors("true", "{a: 1}\n"), "");
  EXPECT_EQ(Errors("false", "1\n"), "1:1 no value is allowed here");
}

TEST(JsonSchemaTest, UnknownValuesAreAcceptedEverywhere) {
  Value schema = Schema(R"({"type":"object","properties":{"n":{"type":"integer","minimum":5},
                            "s":{"enum":["a"]}},"required":["n"]})");
  Value inst = Value::EmptyMap();
  inst["n"] = Value::Unknown("local.file.a.size");
  inst["s"] = Value::Unknown();
  Diagnostics diags;
  ValidateJsonSchema(inst, schema, "", &diags);
  EXPECT_TRUE(diags.empty()) << RenderDiagnostics(diags, false);
  Diagnostics whole;
  ValidateJsonSchema(Value::Unknown(), schema, "", &whole);
  EXPECT_TRUE(whole.empty());
}

TEST(JsonSchemaTest, SensitiveValuesAreCheckedButNeverShown) {
  Value schema = Schema(R"({"properties":{"p":{"enum":["x"]},"q":{"type":"integer"},
                            "r":{"pattern":"^env:"}}})");
  Value inst = Value::EmptyMap();
  Value secret("hunter2");
  secret.sensitive = true;
  inst["p"] = secret;
  inst["q"] = secret;
  inst["r"] = secret;
  Diagnostics diags;
  ValidateJsonSchema(inst, schema, "", &diags);
  std::string rendered = RenderDiagnostics(diags, false);
  EXPECT_EQ(diags.size(), 3u);
  EXPECT_EQ(rendered.find("hunter2"), std::string::npos) << rendered;
}

TEST(JsonSchemaTest, RootPathPrefixesEveryPath) {
  Value schema =
      Schema(R"({"properties":{"spec":{"properties":{"replicas":{"type":"integer"}}}}})");
  Value inst = Value::EmptyMap();
  inst["spec"]["replicas"] = Value("three");
  Diagnostics diags;
  ValidateJsonSchema(inst, schema, "resources[\"k8s.deployment.web\"]", &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].path, "resources[\"k8s.deployment.web\"].spec.replicas");
}

TEST(JsonSchemaTest, CustomHintKeywordSuppliesTheHint) {
  const char* s = R"({"pattern":"^(env|file):","x-cairn-hint":"write env:NAME"})";
  EXPECT_EQ(Errors(s, "hunter2\n"), "1:1 does not match the pattern ^(env|file): [write env:NAME]");
}

TEST(JsonSchemaTest, CustomExpectedKeywordRewordsPatternFailures) {
  const char* s = R"({"pattern":"^[0-9]+m$","x-cairn-expected":"millicores such as 500m"})";
  EXPECT_EQ(Errors(s, "lots\n"), "1:1 expected millicores such as 500m");
}

// Compiling on first use changes when a pattern is compiled, not what it accepts.
TEST(JsonSchemaTest, PatternsCompiledOnFirstUseCheckTheSame) {
  JsonSchema js(Schema(R"({"type":"object","properties":{"cpu":{"pattern":"^[0-9]+m$"}},
                          "patternProperties":{"^x-":{"type":"integer"}}})"),
                JsonSchema::Patterns::kOnFirstUse);
  EXPECT_TRUE(js.schema_problems().empty());
  Blueprint bp;
  testing::AssertLoad(&bp, "cpu: lots\nx-a: no\nx-b: 2\n", "i.yaml");
  Diagnostics diags;
  js.Validate(bp.root, "", &diags, &bp.key_locs);
  ASSERT_EQ(diags.items().size(), 2u) << RenderDiagnostics(diags, false);
  EXPECT_EQ(diags.items()[0].loc.line, 1u);
  EXPECT_NE(diags.items()[0].summary.find("^[0-9]+m$"), std::string::npos);
  EXPECT_EQ(diags.items()[1].summary, "expected integer, got string");
  testing::AssertLoad(&bp, "cpu: 500m\nx-b: 2\n", "i.yaml");
  Diagnostics clean;
  js.Validate(bp.root, "", &clean, &bp.key_locs);
  EXPECT_TRUE(clean.empty()) << RenderDiagnostics(clean, false);
}

TEST(JsonSchemaTest, InvalidPatternIsASchemaProblem) {
  JsonSchema js(Schema(R"({"pattern":"(unclosed"})"));
  ASSERT_EQ(js.schema_problems().size(), 1u);
  EXPECT_NE(js.schema_problems().items()[0].summary.find("(unclosed"), std::string::npos);
}

TEST(JsonSchemaTest, ErrorsComeOutInSourceOrder) {
  const char* s = R"({"properties":{"z":{"type":"string"},"a":{"type":"string"},
                      "m":{"type":"string"}}})";
  // Map iteration is alphabetical; the output must follow the file instead.
  EXPECT_EQ(Errors(s, "z: 1\nm: 2\na: 3\n"),
            "1:4 z: expected string, got integer\n2:4 m: expected string, got integer\n"
            "3:4 a: expected string, got integer");
}

}  // namespace
}  // namespace cairn::blueprint
