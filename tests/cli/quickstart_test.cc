// End-to-end: the cairn binary on the quickstart blueprint and on small generated blueprints.
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

namespace fs = std::filesystem;

/// A copy of a blueprint in a temporary directory, with helpers to run cairn on it.
class CliTest : public ::testing::Test {
 protected:
  void UseQuickstart() {
    WriteFile(dir_.Join("blueprint.yaml"), ReadFile(SourceDir() + "/blueprints/quickstart.yaml"));
  }
  CommandResult Cairn(std::vector<std::string> args) {
    args.insert(args.begin(), CairnBinary());
    return RunCommand(args, dir_.path(), {"NO_COLOR=1"});
  }
  std::string Out(const std::string& rel) { return dir_.Join("out/quickstart/" + rel); }

  TempDir dir_;
};

TEST_F(CliTest, QuickstartPlanApplyPlanConverges) {
  UseQuickstart();
  CommandResult plan = Cairn({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("local.file.motd will be created"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("(known after apply)"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("Plan: 4 to add, 0 to change, 0 to destroy."), std::string::npos);

  CommandResult apply = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("Apply complete!"), std::string::npos) << apply.out;
  EXPECT_EQ(
      ReadFile(Out("site/motd.txt")),
      "Welcome to the quickstart cluster.\nEverything in this folder was rendered by cairn.\n");
  // The checksum file was rendered with the real digests, resolved during apply.
  std::string sums = ReadFile(Out("site/SHA256SUMS"));
  EXPECT_EQ(sums.find("${"), std::string::npos) << sums;
  EXPECT_EQ(sums.size(), 2 * (64 + 2) + std::string("motd.txt\nhosts\n").size()) << sums;

  CommandResult again = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("No changes."), std::string::npos) << again.out;
}

TEST_F(CliTest, HandEditShowsAsDriftAndApplyRestoresIt) {
  UseQuickstart();
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  WriteFile(Out("site/motd.txt"), "edited by hand\n");

  CommandResult plan = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("changed outside of cairn"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("local.file.motd will be updated in-place"), std::string::npos)
      << plan.out;

  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(ReadFile(Out("site/motd.txt")).rfind("Welcome", 0), 0u);
  EXPECT_EQ(Cairn({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(CliTest, DestroyRemovesEverythingInReverseOrder) {
  UseQuickstart();
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  CommandResult destroy = Cairn({"destroy", "--auto-approve"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy.out << destroy.err;
  // The directory can only go after the files inside it: a wrong order would fail the delete.
  EXPECT_LT(destroy.out.find("local.file.motd: Destruction complete"),
            destroy.out.find("local.directory.site: Destruction complete"))
      << destroy.out;
  EXPECT_FALSE(FileExists(Out("site")));
  CommandResult show = Cairn({"show"});
  EXPECT_NE(show.out.find("empty"), std::string::npos) << show.out;
}

TEST_F(CliTest, ApplyWithoutTerminalNeedsAutoApprove) {
  UseQuickstart();
  CommandResult apply = Cairn({"apply"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("--auto-approve"), std::string::npos) << apply.err;
  EXPECT_FALSE(FileExists(Out("site/motd.txt")));
}

TEST_F(CliTest, ValidateReportsEveryErrorWithPosition) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "providers:\n"
            "  local:\n"
            "    output_dir: out\n"
            "resources:\n"
            "  local.file.a:\n"
            "    path: a.txt\n"
            "    contnet: hello\n"
            "  local.file.b:\n"
            "    content: no path\n"
            "  local.file.c:\n"
            "    path: c.txt\n"
            "    content: ${local.file.zz.sha256}\n");
  CommandResult r = Cairn({"validate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("blueprint.yaml:7:5: error: resources.local.file.a.contnet: unknown "
                       "attribute 'contnet'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("did you mean 'content'?"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing required attribute 'path'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("undeclared resource 'local.file.zz'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("3 errors"), std::string::npos) << r.err;
}

TEST_F(CliTest, ValidateNeedsNoSecretValuesButPlanDoes) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "secrets:\n"
            "  token: env:CAIRN_TEST_UNSET_TOKEN\n"
            "resources:\n"
            "  local.file.a:\n"
            "    path: a.txt\n"
            "    sensitive_content: \"token=${secrets.token}\"\n");
  CommandResult validate = Cairn({"validate"});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  CommandResult plan = Cairn({"plan"});
  EXPECT_EQ(plan.exit_code, 1);
  EXPECT_NE(plan.err.find("blueprint.yaml:2:10: error: secrets.token: environment variable "
                          "'CAIRN_TEST_UNSET_TOKEN' is not set"),
            std::string::npos)
      << plan.err;
}

TEST_F(CliTest, SecretsNeverAppearInPlanApplyOrShow) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "secrets:\n"
            "  token: env:CAIRN_TEST_TOKEN\n"
            "resources:\n"
            "  local.file.a:\n"
            "    path: a.txt\n"
            "    sensitive_content: \"token=${secrets.token}\"\n");
  std::vector<std::string> env = {"NO_COLOR=1", "CAIRN_TEST_TOKEN=s3cr3t-value"};
  for (const char* cmd : {"plan", "apply", "show"}) {
    std::vector<std::string> argv = {CairnBinary(), cmd};
    if (std::string(cmd) == "apply") argv.push_back("--auto-approve");
    CommandResult r = RunCommand(argv, dir_.path(), env);
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    EXPECT_EQ((r.out + r.err).find("s3cr3t-value"), std::string::npos) << cmd << " printed it";
    if (std::string(cmd) == "plan") {
      EXPECT_NE(r.out.find("(sensitive)"), std::string::npos) << r.out;
    }
  }
  EXPECT_EQ(ReadFile(dir_.Join("out/a.txt")), "token=s3cr3t-value");
}

TEST_F(CliTest, MissingBlueprintIsAClearError) {
  CommandResult r = Cairn({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("blueprint file 'blueprint.yaml' not found"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("-f PATH"), std::string::npos) << r.err;
}

TEST_F(CliTest, CycleIsReportedWhole) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "resources:\n"
            "  local.file.a:\n"
            "    path: a\n"
            "    content: ${local.file.b.sha256}\n"
            "  local.file.b:\n"
            "    path: b\n"
            "    content: ${local.file.c.sha256}\n"
            "  local.file.c:\n"
            "    path: c\n"
            "    depends_on: [local.file.a]\n");
  CommandResult r = Cairn({"plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("local.file.a -> local.file.b -> local.file.c -> local.file.a"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace cairn::testing
