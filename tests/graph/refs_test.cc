#include "engine/graph/refs.h"

#include <gtest/gtest.h>

namespace cairn::graph {
namespace {

Value Attrs(std::initializer_list<std::pair<const char*, Value>> items) {
  Value v = Value::EmptyMap();
  for (const auto& [k, item] : items) v[k] = item;
  return v;
}

TEST(RefsTest, FindsReferencesRecursivelyWithTheirLocation) {
  Value content("id is ${local.file.a.id} and ${local.file.b.tags.name}");
  content.loc = SourceLoc{1, 4, 7};
  Value items = Value::EmptyList();
  items.Push(Value("${dns.record.www.items[0]}"));
  Value attrs = Attrs({{"content", content}, {"items", items}, {"plain", Value("no refs")}});

  std::vector<Reference> refs;
  Diagnostics diags;
  FindReferences(attrs, &refs, &diags);
  EXPECT_TRUE(diags.empty());
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].text, "local.file.a.id");
  EXPECT_EQ(refs[0].address, "local.file.a");
  EXPECT_EQ(refs[0].path, "id");
  EXPECT_EQ(refs[0].loc, (SourceLoc{1, 4, 7}));
  EXPECT_EQ(refs[1].address, "local.file.b");
  EXPECT_EQ(refs[1].path, "tags.name");
  EXPECT_EQ(refs[2].address, "dns.record.www");
  EXPECT_EQ(refs[2].path, "items[0]");
}

TEST(RefsTest, EscapedDollarIsNotAReference) {
  std::vector<Reference> refs;
  Diagnostics diags;
  FindReferences(Attrs({{"s", Value("literal $${local.file.a.id}")}}), &refs, &diags);
  EXPECT_TRUE(refs.empty());
  EXPECT_TRUE(diags.empty());

  std::string error;
  Value out = ResolveReferences(
      Attrs({{"s", Value("literal $${x}")}}), [](const std::string&) { return nullptr; }, &error);
  EXPECT_EQ(error, "");
  EXPECT_EQ(*out.Find("s"), Value("literal ${x}"));
}

TEST(RefsTest, MalformedReferencesBecomeDiagnostics) {
  for (const char* bad :
       {"${}", "${local.file.a.id", "${local.file.a}", "${local.file.a.}", "${local file.a.b}"}) {
    std::vector<Reference> refs;
    Diagnostics diags;
    Value s(bad);
    s.loc = SourceLoc{1, 2, 3};
    FindReferences(Attrs({{"x", s}}), &refs, &diags);
    ASSERT_EQ(diags.error_count(), 1u) << bad;
    EXPECT_EQ(diags.items()[0].path, "x");
    EXPECT_EQ(diags.items()[0].loc, (SourceLoc{1, 2, 3}));
    EXPECT_NE(diags.items()[0].hint.find("<provider>.<type>.<name>.<attribute>"),
              std::string::npos);
    EXPECT_TRUE(refs.empty()) << bad;
  }
}

TEST(RefsTest, WholeStringReferenceKeepsTheReferencedType) {
  Value a = Attrs({{"port", Value(8080)}, {"tags", Attrs({{"name", Value("web")}})}});
  Value list = Value::EmptyList();
  list.Push(Value("x"));
  list.Push(Value("y"));
  a["items"] = list;
  auto lookup = [&](const std::string& addr) -> const Value* {
    return addr == "local.file.a" ? &a : nullptr;
  };
  std::string error;
  Value out = ResolveReferences(Attrs({{"port", Value("${local.file.a.port}")},
                                       {"name", Value("${local.file.a.tags.name}")},
                                       {"second", Value("${local.file.a.items[1]}")},
                                       {"all", Value("${local.file.a.items}")},
                                       {"url", Value("http://h:${local.file.a.port}/")}}),
                                lookup, &error);
  EXPECT_EQ(error, "");
  EXPECT_TRUE(out.Find("port")->is_int());
  EXPECT_EQ(*out.Find("port"), Value(8080));
  EXPECT_EQ(*out.Find("name"), Value("web"));
  EXPECT_EQ(*out.Find("second"), Value("y"));
  EXPECT_EQ(*out.Find("all"), list);
  EXPECT_EQ(*out.Find("url"), Value("http://h:8080/"));
}

TEST(RefsTest, NotYetKnownResourceBecomesUnknown) {
  Value a = Attrs({{"id", Value::Unknown("local.file.a.id")}});
  auto lookup = [&](const std::string& addr) -> const Value* {
    return addr == "local.file.a" ? &a : nullptr;
  };
  std::string error;
  Value out = ResolveReferences(Attrs({{"x", Value("${local.file.b.id}")},
                                       {"y", Value("pre-${local.file.a.id}")},
                                       {"z", Value("${local.file.a.id}")}}),
                                lookup, &error);
  EXPECT_EQ(error, "");
  EXPECT_TRUE(out.Find("x")->is_unknown());
  EXPECT_EQ(out.Find("x")->UnknownOrigin(), "local.file.b.id");
  EXPECT_TRUE(out.Find("y")->is_unknown());
  EXPECT_TRUE(out.Find("z")->is_unknown());
}

TEST(RefsTest, SensitivityPropagatesThroughReferences) {
  Value secret("hunter2");
  secret.sensitive = true;
  Value a = Attrs({{"password", secret}});
  auto lookup = [&](const std::string&) -> const Value* { return &a; };
  std::string error;
  Value out = ResolveReferences(Attrs({{"whole", Value("${db.user.a.password}")},
                                       {"inside", Value("pw=${db.user.a.password}")}}),
                                lookup, &error);
  EXPECT_EQ(error, "");
  EXPECT_TRUE(out.Find("whole")->sensitive);
  EXPECT_TRUE(out.Find("inside")->sensitive);
  EXPECT_EQ(*out.Find("inside"), Value("pw=hunter2"));
}

TEST(RefsTest, MissingAttributeOfKnownResourceIsAnError) {
  Value a = Attrs({{"id", Value("1")}});
  auto lookup = [&](const std::string&) -> const Value* { return &a; };
  std::string error;
  ResolveReferences(Attrs({{"x", Value("${local.file.a.sha}")}}), lookup, &error);
  EXPECT_EQ(error, "reference '${local.file.a.sha}': local.file.a has no attribute 'sha'");
}

}  // namespace
}  // namespace cairn::graph
