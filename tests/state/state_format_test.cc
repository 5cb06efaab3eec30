#include <set>

#include <gtest/gtest.h>

#include "engine/base/json.h"
#include "engine/state/state.h"

namespace cairn::state {
namespace {

ResourceState MakeResource(const std::string& name) {
  ResourceState r;
  r.address = "local.file." + name;
  r.type = "local.file";
  r.provider = "local";
  r.id = "/tmp/" + name;
  r.attributes = Value::EmptyMap();
  r.attributes["id"] = r.id;
  r.attributes["content"] = "secret-" + name;
  r.attributes["content"].sensitive = true;
  r.attributes["env"]["PASSWORD"] = "pw";
  r.attributes["env"]["PASSWORD"].sensitive = true;
  r.attributes["env"]["USER"] = "bob";
  r.attributes["items"] = Value::List{"a", "b"};
  r.attributes["items"].MutableList()[0].sensitive = true;
  r.dependencies = {"local.dir.root"};
  r.private_data = Value::EmptyMap();
  r.private_data["etag"] = "x1";
  r.schema_version = 3;
  return r;
}

TEST(StateFormatTest, RoundTripKeepsEveryFieldAndSensitiveMarks) {
  State s;
  s.lineage = NewLineage();
  s.serial = 42;
  for (const char* n : {"b", "a"}) s.resources[MakeResource(n).address] = MakeResource(n);
  AppendHistory(&s, Value("applied"));

  Result<Value> parsed = ParseJson(DumpJson(StateToValue(s), 2));
  ASSERT_TRUE(parsed.ok());
  Result<State> back = StateFromValue(*parsed);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->lineage, s.lineage);
  EXPECT_EQ(back->serial, 42u);
  EXPECT_EQ(back->history, s.history);
  ASSERT_EQ(back->resources.size(), 2u);
  const ResourceState* r = back->Find("local.file.a");
  ASSERT_NE(r, nullptr);
  ResourceState want = MakeResource("a");
  EXPECT_EQ(r->type, want.type);
  EXPECT_EQ(r->provider, want.provider);
  EXPECT_EQ(r->id, want.id);
  EXPECT_EQ(r->attributes, want.attributes);
  EXPECT_EQ(r->dependencies, want.dependencies);
  EXPECT_EQ(r->private_data, want.private_data);
  EXPECT_EQ(r->schema_version, 3);
  EXPECT_EQ(r->sensitive_paths, (std::vector<std::string>{"content", "env.PASSWORD", "items[0]"}));
  // The marks are back on the values, so nothing downstream prints them.
  EXPECT_TRUE(r->attributes.Find("content")->sensitive);
  EXPECT_TRUE(r->attributes.Find("env")->Find("PASSWORD")->sensitive);
  EXPECT_FALSE(r->attributes.Find("env")->Find("USER")->sensitive);
  EXPECT_TRUE(r->attributes.Find("items")->AsList()[0].sensitive);
  EXPECT_FALSE(r->attributes.Find("items")->AsList()[1].sensitive);
  EXPECT_EQ(back->Find("local.file.zzz"), nullptr);
}

TEST(StateFormatTest, ResourcesAreWrittenSortedByAddress) {
  State s;
  s.lineage = "l";
  for (const char* n : {"c", "a", "b"}) s.resources[MakeResource(n).address] = MakeResource(n);
  Value v = StateToValue(s);
  EXPECT_EQ(v.Find("format_version")->AsInt(), 1);
  const Value::List& list = v.Find("resources")->AsList();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].Find("address")->AsString(), "local.file.a");
  EXPECT_EQ(list[2].Find("address")->AsString(), "local.file.c");
}

TEST(StateFormatTest, NewerFormatVersionIsAClearError) {
  Result<Value> v = ParseJson(R"({"format_version": 2, "lineage": "x", "serial": 1})");
  ASSERT_TRUE(v.ok());
  Result<State> s = StateFromValue(*v);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("format_version 2"), std::string::npos);
  EXPECT_NE(s.status().hint().find("upgrade cairn"), std::string::npos);
}

TEST(StateFormatTest, WrongFieldTypeNamesTheFieldAndTheResource) {
  Result<Value> v = ParseJson(R"({"format_version": 1, "lineage": "x", "serial": 1,
      "resources": [{"address": "local.file.a", "type": "local.file", "id": 7}]})");
  ASSERT_TRUE(v.ok());
  Result<State> s = StateFromValue(*v);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(),
            "resources[0]: resource 'local.file.a': field 'id' must be a string, got integer");
}

TEST(StateFormatTest, MissingSerialAndDuplicateAddressesAreErrors) {
  Result<Value> v = ParseJson(R"({"format_version": 1, "lineage": "x"})");
  EXPECT_NE(StateFromValue(*v).status().message().find("'serial'"), std::string::npos);
  v = ParseJson(R"({"format_version": 1, "lineage": "x", "serial": 1,
      "resources": [{"address": "a.b.c"}, {"address": "a.b.c"}]})");
  EXPECT_NE(StateFromValue(*v).status().message().find("appears twice"), std::string::npos);
}

TEST(StateFormatTest, SensitivePathsQuoteKeysWithDots) {
  Value attrs = Value::EmptyMap();
  attrs["labels"]["app.io/name"] = "web";
  attrs["labels"]["app.io/name"].sensitive = true;
  attrs["nested"]["list"] = Value::List{Value::EmptyMap()};
  attrs["nested"]["list"].MutableList()[0]["key"] = "v";
  attrs["nested"]["list"].MutableList()[0]["key"].sensitive = true;
  std::vector<std::string> paths = SensitivePaths(attrs);
  EXPECT_EQ(paths, (std::vector<std::string>{"labels[\"app.io/name\"]", "nested.list[0].key"}));

  Value fresh = attrs;
  fresh["labels"]["app.io/name"].sensitive = false;
  fresh["nested"]["list"].MutableList()[0]["key"].sensitive = false;
  MarkSensitive(&fresh, paths);
  EXPECT_EQ(SensitivePaths(fresh), paths);
  // Paths naming nothing are ignored rather than creating values.
  MarkSensitive(&fresh, {"nope.deeper", "items[9]", "bad[path"});
  EXPECT_EQ(fresh.Find("nope"), nullptr);
}

TEST(StateFormatTest, SensitivePathsStopAtASensitiveMapAndSkipPlainSiblings) {
  Value attrs = Value::EmptyMap();
  attrs["a"]["plain"] = "x";
  attrs["secret_data"]["password"] = "p";
  attrs["secret_data"]["user"] = "u";
  attrs["secret_data"].sensitive = true;
  attrs["z"] = Value::List{Value("one"), Value("two"), Value("three")};
  attrs["z"].MutableList()[2].sensitive = true;
  EXPECT_EQ(SensitivePaths(attrs), (std::vector<std::string>{"secret_data", "z[2]"}));
  attrs["z"].MutableList()[2].sensitive = false;
  attrs["secret_data"].sensitive = false;
  EXPECT_TRUE(SensitivePaths(attrs).empty());
  attrs.sensitive = true;
  EXPECT_EQ(SensitivePaths(attrs), (std::vector<std::string>{""}));
}

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx in lowercase hex.
bool IsUuidV4(const std::string& s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && std::string("0123456789abcdef").find(s[i]) == std::string::npos) return false;
  }
  return s[14] == '4' && std::string("89ab").find(s[19]) != std::string::npos;
}

TEST(StateFormatTest, LineageIsARandomUuidV4) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string l = NewLineage();
    EXPECT_TRUE(IsUuidV4(l)) << l;
    seen.insert(l);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(StateFormatTest, HistoryKeepsOnlyTheNewest) {
  State s;
  for (int i = 0; i < 30; ++i) AppendHistory(&s, Value(i), 5);
  ASSERT_EQ(s.history.size(), 5u);
  EXPECT_EQ(s.history.AsList().front(), Value(25));
  EXPECT_EQ(s.history.AsList().back(), Value(29));
}

}  // namespace
}  // namespace cairn::state
