#include "engine/expand/expand.h"

#include <gtest/gtest.h>

#include "tests/support/fake_provider.h"

namespace cairn::expand {
namespace {

using testing::FakeAttr;
using testing::FakeProvider;

/// A fake provider whose expand emits one resource per entry of the blueprint's `apps:`.
class ExpandingProvider : public FakeProvider {
 public:
  ExpandingProvider() : FakeProvider("kube") {
    AddType("app", {FakeAttr("image")});
    schema().has_expand = true;
  }
  Result<std::vector<provider::DesiredResource>> Expand(const Value& bp) override {
    std::vector<provider::DesiredResource> out;
    const Value* apps = bp.Find("apps");
    if (apps == nullptr || !apps->is_list()) return out;
    for (const Value& app : apps->AsList()) {
      provider::DesiredResource r;
      r.provider = "kube";
      r.type = "kube.app";
      r.name = app.Find("name")->AsString();
      r.address = r.type + "." + r.name;
      r.attributes["image"] = *app.Find("image");
      r.origin = "expanded by kube";
      r.loc = app.loc;
      out.push_back(std::move(r));
    }
    return out;
  }
};

/// A fake provider that derives one record per `zones:` entry and says where it came from.
class LocatingProvider : public FakeProvider {
 public:
  LocatingProvider() : FakeProvider("dns") {
    provider::Attribute values = FakeAttr("values");
    values.type = provider::AttrType::kList;
    AddType("record", {values});
    schema().has_expand = true;
  }
  Result<std::vector<provider::DesiredResource>> Expand(const Value& bp) override {
    std::vector<provider::DesiredResource> out;
    const Value* zones = bp.Find("zones");
    if (zones == nullptr || !zones->is_list()) return out;
    for (size_t i = 0; i < zones->AsList().size(); ++i) {
      const Value& z = zones->AsList()[i];
      provider::DesiredResource r;
      r.provider = "dns";
      r.type = "dns.record";
      r.name = z.Find("name")->AsString();
      r.address = r.type + "." + r.name;
      Value list = Value::EmptyList();
      Value copy(z.Find("value")->AsString());  // as a plugin sees it: no position
      list.MutableList().push_back(copy);
      r.attributes["values"] = list;
      r.origin = "expanded by dns";
      std::string at = "zones[" + std::to_string(i) + "]";
      r.source_path = at;
      r.attribute_sources["values"] = at + ".value";
      out.push_back(std::move(r));
    }
    return out;
  }
};

class ExpandTest : public ::testing::Test {
 protected:
  ExpandTest() {
    auto files = std::make_unique<FakeProvider>("local");
    provider::Attribute path = FakeAttr("path", false, true);
    path.required = true;
    provider::Attribute mode = FakeAttr("mode");
    mode.default_value = "0644";
    provider::Attribute count = FakeAttr("count");
    count.type = provider::AttrType::kNumber;
    files->AddType("file", {path, FakeAttr("content"), mode, count, FakeAttr("sha256", true)});
    registry_.Add(std::move(files));
    registry_.Add(std::make_unique<ExpandingProvider>());
    registry_.Add(std::make_unique<LocatingProvider>());
  }

  std::vector<provider::DesiredResource> Run(const std::string& yaml, Value secrets = Value()) {
    blueprint::Blueprint bp;
    EXPECT_TRUE(blueprint::LoadString("bp.yaml", yaml, &bp, &diags_));
    return Expand(bp, secrets, registry_, &diags_);
  }
  std::string Errors() const { return RenderDiagnostics(diags_, false); }

  provider::Registry registry_;
  Diagnostics diags_;
};

TEST_F(ExpandTest, UnknownAttributePointsAtTheKeyWithASuggestion) {
  Run("resources:\n  local.file.a:\n    path: a\n    contnet: x\n");
  ASSERT_EQ(diags_.error_count(), 1u) << Errors();
  EXPECT_EQ(Errors(),
            "bp.yaml:4:5: error: resources.local.file.a.contnet: unknown attribute 'contnet'\n"
            " 4 |     contnet: x\n"
            "   |     ^~~~~~~~\n"
            "  hint: did you mean 'content'?\n\n");
}

TEST_F(ExpandTest, MissingRequiredAndWrongTypeAreBothReported) {
  Run("resources:\n  local.file.a:\n    content: x\n    count: many\n");
  EXPECT_EQ(diags_.error_count(), 2u) << Errors();
  EXPECT_NE(Errors().find("missing required attribute 'path'"), std::string::npos) << Errors();
  EXPECT_NE(Errors().find(
                "bp.yaml:4:12: error: resources.local.file.a.count: expected number, got string"),
            std::string::npos)
      << Errors();
}

TEST_F(ExpandTest, DefaultsAreFilledIn) {
  auto desired = Run("resources:\n  local.file.a:\n    path: a\n");
  ASSERT_FALSE(diags_.has_errors()) << Errors();
  ASSERT_EQ(desired.size(), 1u);
  EXPECT_EQ(*desired[0].attributes.Find("mode"), Value("0644"));
  EXPECT_EQ(desired[0].address, "local.file.a");
  EXPECT_EQ(desired[0].type, "local.file");
}

TEST_F(ExpandTest, SecretsAreSubstitutedAndStaySensitive) {
  Value secrets = Value::EmptyMap();
  secrets["token"] = "hunter2";
  secrets["token"].sensitive = true;
  auto desired =
      Run("resources:\n  local.file.a:\n    path: a\n    content: ${secrets.token}\n"
          "  local.file.b:\n    path: b\n    content: \"token=${secrets.token}\\n\"\n",
          secrets);
  ASSERT_FALSE(diags_.has_errors()) << Errors();
  const Value* a = desired[0].attributes.Find("content");
  EXPECT_EQ(*a, Value("hunter2"));
  EXPECT_TRUE(a->sensitive);
  const Value* b = desired[1].attributes.Find("content");
  EXPECT_EQ(*b, Value("token=hunter2\n"));
  EXPECT_TRUE(b->sensitive);
}

TEST_F(ExpandTest, UnknownSecretSuggestsTheClosestName) {
  Value secrets = Value::EmptyMap();
  secrets["token"] = "x";
  Run("resources:\n  local.file.a:\n    path: a\n    content: ${secrets.tokn}\n", secrets);
  EXPECT_NE(Errors().find("unknown secret 'tokn'"), std::string::npos) << Errors();
  EXPECT_NE(Errors().find("did you mean 'token'?"), std::string::npos) << Errors();
}

TEST_F(ExpandTest, ProviderExpansionAndResourcesAreMerged) {
  auto desired =
      Run("apps:\n  - name: web\n    image: nginx\n"
          "resources:\n  local.file.a:\n    path: a\n    content: ${kube.app.web.id}\n");
  ASSERT_FALSE(diags_.has_errors()) << Errors();
  ASSERT_EQ(desired.size(), 2u);
  EXPECT_EQ(desired[0].address, "kube.app.web");
  EXPECT_EQ(desired[0].origin, "expanded by kube");
  EXPECT_EQ(desired[1].address, "local.file.a");
}

TEST_F(ExpandTest, ExpandedResourcesPointAtTheBlueprintEntriesTheyCameFrom) {
  auto desired =
      Run("zones:\n"
          "  - name: a\n"
          "    value: one\n"
          "  - { name: b, value: two }\n");
  ASSERT_FALSE(diags_.has_errors()) << Errors();
  ASSERT_EQ(desired.size(), 2u);
  const provider::DesiredResource& b = desired[1];
  EXPECT_EQ(b.address, "dns.record.b");
  EXPECT_EQ(b.loc.line, 4u);  // the entry zones[1]
  EXPECT_EQ(b.loc.col, 5u);
  const Value& value = b.attributes.Find("values")->AsList()[0];
  EXPECT_EQ(value.loc.line, 4u);  // a list made from one value points at that value
  EXPECT_EQ(value.loc.col, 23u);
  EXPECT_EQ(desired[0].attributes.Find("values")->AsList()[0].loc.line, 3u);
  EXPECT_EQ(desired[0].key_locs.at("values").line, 3u);
  EXPECT_EQ(desired[0].key_locs.at("values").col, 5u);
}

TEST_F(ExpandTest, AddressDeclaredTwiceNamesTheFirstDeclaration) {
  Run("apps:\n  - name: web\n    image: nginx\n"
      "resources:\n  kube.app.web:\n    image: httpd\n");
  ASSERT_EQ(diags_.error_count(), 1u) << Errors();
  EXPECT_NE(Errors().find("resource kube.app.web is declared twice"), std::string::npos);
  EXPECT_NE(Errors().find("expanded by kube at bp.yaml:2:5"), std::string::npos) << Errors();
}

TEST_F(ExpandTest, UnknownProviderTypeAndReferenceAreReportedWithHints) {
  Run("resources:\n"
      "  locl.file.a:\n    path: a\n"
      "  local.fil.b:\n    path: b\n"
      "  local.file.c:\n    path: c\n    content: ${local.file.d.sha256}\n"
      "  local.file.e:\n    path: e\n    depends_on: [local.file.cc]\n");
  std::string e = Errors();
  EXPECT_EQ(diags_.error_count(), 4u) << e;
  EXPECT_NE(e.find("unknown provider 'locl'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'local'?"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown resource type 'local.fil'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'local.file'?"), std::string::npos) << e;
  EXPECT_NE(e.find("bp.yaml:8:14: error: resources.local.file.c: reference to undeclared resource "
                   "'local.file.d'"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("depends on undeclared resource 'local.file.cc'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'local.file.c'?"), std::string::npos) << e;
}

TEST_F(ExpandTest, ProviderSettingsAreCheckedAgainstItsConfigSchema) {
  provider::Attribute dir = FakeAttr("output_dir");
  dir.default_value = "out";
  static_cast<FakeProvider*>(registry_.Find("local"))->schema().config["output_dir"] = dir;
  blueprint::Blueprint bp;
  ASSERT_TRUE(blueprint::LoadString(
      "bp.yaml", "providers:\n  local:\n    outptu_dir: x\n  nope: {}\n", &bp, &diags_));
  ConfigureProviders(bp, registry_, &diags_);
  std::string e = Errors();
  EXPECT_NE(e.find("bp.yaml:3:5: error: providers.local.outptu_dir: unknown attribute"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("did you mean 'output_dir'?"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown provider 'nope'"), std::string::npos) << e;
}

}  // namespace
}  // namespace cairn::expand
