// End-to-end: which plugins `cairn validate` and `cairn plan` load. A blueprint of resources:
// alone needs only the plugins it names (and plan those of the providers its state records), so
// a broken or slow plugin it does not use cannot fail or slow it; a section that a plugin's expand
// may read, or a name no plugin matches, still loads every plugin, so expansion and the
// did-you-mean hints are as complete as in plan.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace cairn::testing {
namespace {

class ValidatePluginsTest : public CliFixture {
 protected:
  void SetUp() override {
    UseMemoPlugin("1.0.0");
    WriteFile(dir_.Join("plugins/broken/provider.lua"), "return {\n  name = \"broken\",\n");
  }
};

constexpr char kBrokenError[] = "plugins/broken/provider.lua";

TEST_F(ValidatePluginsTest, ResourcesOnlyBlueprintLoadsOnlyTheNamedPlugins) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: hello\n");
  CommandResult r = Cairn({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("is valid (1 resource)"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find(kBrokenError), std::string::npos) << r.err;
}

TEST_F(ValidatePluginsTest, PlanLoadsTheNamedPluginsAndThoseOfTheStatesResources) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: hello\n");
  CommandResult applied = Cairn({"apply", "--auto-approve"});
  EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  EXPECT_EQ(applied.err.find(kBrokenError), std::string::npos) << applied.err;

  // The blueprint no longer names memo; its resource in the state still needs its plugin.
  WriteFile(dir_.Join("blueprint.yaml"), "plugins: [plugins]\nresources: {}\n");
  CommandResult r = Cairn({"plan"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("memo.note.a will be destroyed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 to add, 0 to change, 1 to destroy"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find(kBrokenError), std::string::npos) << r.err;

  // A provider the state names but no plugin provides is reported, not ignored.
  std::filesystem::remove_all(dir_.Join("plugins/memo"));
  r = Cairn({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("provider 'memo' is not loaded"), std::string::npos) << r.err;
}

TEST_F(ValidatePluginsTest, ASectionAPluginMayExpandLoadsEveryPlugin) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\n"
            "cluster:\n  name: lab\n"
            "resources:\n  memo.note.a:\n    text: hello\n");
  CommandResult r = Cairn({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(kBrokenError), std::string::npos) << r.err;
}

TEST_F(ValidatePluginsTest, AMisspelledTypeStillGetsItsHint) {
  std::filesystem::remove_all(dir_.Join("plugins/broken"));
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\nresources:\n  meno.note.a:\n    text: hello\n");
  CommandResult r = Cairn({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did you mean 'memo"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cairn::testing
