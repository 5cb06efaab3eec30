// End-to-end: a provider's plan sees the whole blueprint (ctx.blueprint) and its errors point
// at the attribute they name.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

CommandResult PlanWith(const TempDir& dir, const std::string& blueprint) {
  WriteFile(dir.Join("blueprint.yaml"), blueprint);
  return RunCommand(
      {CairnBinary(), "plan", "--plugin-dir", SourceDir() + "/tests/testdata/cli_plugins"},
      dir.path(), {"NO_COLOR=1"});
}

TEST(ProviderErrorsTest, PlanErrorPointsAtTheAttributeTheProviderNames) {
  TempDir dir;
  CommandResult r = PlanWith(dir,
                             "cluster:\n"
                             "  name: home\n"
                             "resources:\n"
                             "  strict.thing.web:\n"
                             "    spec:\n"
                             "      cluster: home\n"
                             "      replicas: 5\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("blueprint.yaml:7:17: error: strict.thing.web: spec.replicas: plan: "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("at most 3 replicas are allowed, got 5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("      replicas: 5\n"), std::string::npos)
      << "source line quoted: " << r.err;
  EXPECT_NE(r.err.find("hint: lower spec.replicas"), std::string::npos) << r.err;
}

TEST(ProviderErrorsTest, PlanSeesTheWholeBlueprint) {
  TempDir dir;
  CommandResult wrong = PlanWith(dir,
                                 "cluster:\n"
                                 "  name: home\n"
                                 "resources:\n"
                                 "  strict.thing.web:\n"
                                 "    spec:\n"
                                 "      cluster: office\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("blueprint.yaml:6:16: error: strict.thing.web: spec.cluster: plan: "),
            std::string::npos)
      << wrong.err;
  EXPECT_NE(wrong.err.find("must name this blueprint's cluster 'home'"), std::string::npos)
      << wrong.err;

  CommandResult right = PlanWith(dir,
                                 "cluster:\n"
                                 "  name: home\n"
                                 "resources:\n"
                                 "  strict.thing.web:\n"
                                 "    spec:\n"
                                 "      cluster: home\n");
  EXPECT_EQ(right.exit_code, 0) << right.err;
  EXPECT_NE(right.out.find("Plan: 1 to add"), std::string::npos) << right.out;
}

}  // namespace
}  // namespace cairn::testing
