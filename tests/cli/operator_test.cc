// End-to-end: saved plans, --json, --detailed-exitcode, --target and --refresh-only through the
// cairn binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "tests/cli/cli_fixture.h"

namespace cairn::testing {
namespace {

class OperatorTest : public CliFixture {};

TEST_F(OperatorTest, SavedPlanAppliesExactlyThatPlanWithoutRefreshing) {
  UseQuickstart();
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  Edit("mode: \"0600\"", "mode: \"0640\"");
  CommandResult plan = Cairn({"plan", "-out", "site.plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("cairn apply site.plan"), std::string::npos) << plan.out;
  struct stat st;
  ASSERT_EQ(stat(dir_.Join("site.plan").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "a plan file holds secrets";

  // Edited after planning: a re-plan would restore it, the saved plan does not know about it.
  WriteFile(Out("site/motd.txt"), "edited after the plan\n");
  CommandResult apply = Cairn({"apply", "site.plan"});  // no --auto-approve: it was reviewed
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("0 added, 1 changed, 0 destroyed"), std::string::npos) << apply.out;
  EXPECT_EQ(ReadFile(Out("site/motd.txt")), "edited after the plan\n");
  struct stat hosts;
  ASSERT_EQ(stat(Out("site/hosts").c_str(), &hosts), 0);
  EXPECT_EQ(hosts.st_mode & 0777, 0640u);
}

TEST_F(OperatorTest, StalePlanIsRefusedSayingWhatChanged) {
  UseQuickstart();
  ASSERT_EQ(Cairn({"plan", "-out", "first.plan"}).exit_code, 0);
  ASSERT_EQ(Cairn({"plan", "--out=second.plan"}).exit_code, 0);
  ASSERT_EQ(Cairn({"apply", "first.plan"}).exit_code, 0);

  CommandResult again = Cairn({"apply", "second.plan"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("the saved plan second.plan is stale: the state serial moved from 0 "
                           "to 1"),
            std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("cairn plan -out second.plan"), std::string::npos) << again.err;

  ASSERT_EQ(Cairn({"plan", "-out", "third.plan"}).exit_code, 0);
  Edit("192.168.1.12 mini-3", "192.168.1.13 mini-3");
  CommandResult edited = Cairn({"apply", "third.plan"});
  EXPECT_EQ(edited.exit_code, 1);
  EXPECT_NE(edited.err.find("the blueprint changed since the plan was made"), std::string::npos)
      << edited.err;
  EXPECT_NE(ReadFile(Out("site/hosts")).find("192.168.1.12 mini-3"), std::string::npos);
}

// `plan --destroy -out FILE` saves a teardown to review; `apply FILE` performs exactly it, and
// a destroy plan saved before something else was applied is refused.
TEST_F(OperatorTest, SavedDestroyPlanIsAppliedByApplyAndRefusedWhenStale) {
  UseQuickstart();
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  CommandResult plan = Cairn({"plan", "--destroy", "-out", "teardown.plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("Plan: 0 to add, 0 to change, 4 to destroy."), std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("cairn apply teardown.plan"), std::string::npos) << plan.out;
  EXPECT_TRUE(FileExists(Out("site/hosts"))) << "planning deletes nothing";
  ASSERT_EQ(Cairn({"plan", "--destroy", "-out", "later.plan"}).exit_code, 0);

  CommandResult apply = Cairn({"apply", "teardown.plan", "--detailed-exitcode"});
  EXPECT_EQ(apply.exit_code, 2) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("Destroy complete! Resources: 4 destroyed."), std::string::npos)
      << apply.out;
  EXPECT_FALSE(FileExists(Out("site/hosts")));
  EXPECT_EQ(Cairn({"state", "list"}).out, "");

  // The state moved on (serial 1 -> 2) after later.plan was made: it is refused, nothing runs.
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  CommandResult stale = Cairn({"apply", "later.plan"});
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_NE(stale.err.find("the saved plan later.plan is stale: the state serial moved from 1 to "
                           "3"),
            std::string::npos)
      << stale.err;
  EXPECT_NE(stale.err.find("cairn plan --destroy -out later.plan"), std::string::npos) << stale.err;
  EXPECT_TRUE(FileExists(Out("site/hosts"))) << "a stale destroy plan deletes nothing";

  CommandResult both = Cairn({"plan", "--destroy", "--refresh-only"});
  EXPECT_NE(both.exit_code, 0);
  EXPECT_NE(both.err.find("excludes"), std::string::npos) << both.err;
}

TEST_F(OperatorTest, StalePlanNamesAPluginVersionChange) {
  UseMemoPlugin("1.0.0");
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: hello\n");
  ASSERT_EQ(Cairn({"plan", "-out", "p.plan"}).exit_code, 0);
  UseMemoPlugin("1.1.0");
  CommandResult r = Cairn({"apply", "p.plan"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("plugin memo version changed from 1.0.0 to 1.1.0"), std::string::npos)
      << r.err;
}

TEST_F(OperatorTest, PlanJsonHasStableFieldsAndHidesSecrets) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "secrets:\n"
            "  token: env:CAIRN_TEST_TOKEN\n"
            "resources:\n"
            "  local.file.a:\n"
            "    path: a.txt\n"
            "    sensitive_content: \"token=${secrets.token}\"\n");
  CommandResult r = Cairn({"plan", "--json"}, {"CAIRN_TEST_TOKEN=s3cr3t-value"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("s3cr3t-value"), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format_version"], "1.0");
  EXPECT_EQ(j["command"], "plan");
  ASSERT_EQ(j["changes"].size(), 1u);
  const nlohmann::json& c = j["changes"][0];
  EXPECT_EQ(c["address"], "local.file.a");
  EXPECT_EQ(c["type"], "local.file");
  EXPECT_EQ(c["action"], "create");
  EXPECT_TRUE(c["before"].is_null());
  EXPECT_EQ(c["after"]["sensitive_content"], "(sensitive)");
  EXPECT_EQ(c["after"]["id"], nlohmann::json({{"unknown", true}}));
  EXPECT_TRUE(c["requires_replace"].is_array());
  EXPECT_EQ(j["summary"]["add"], 1);
  EXPECT_EQ(j["has_changes"], true);
  EXPECT_TRUE(j["diagnostics"].empty());
}

TEST_F(OperatorTest, ValidateJsonGivesPositionsAndHints) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "resources:\n  local.file.a:\n    path: a.txt\n    contnet: hello\n");
  CommandResult r = Cairn({"validate", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.empty()) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], false);
  ASSERT_EQ(j["diagnostics"].size(), 1u);
  const nlohmann::json& d = j["diagnostics"][0];
  EXPECT_EQ(d["severity"], "error");
  EXPECT_NE(d["file"].get<std::string>().find("blueprint.yaml"), std::string::npos);
  EXPECT_EQ(d["line"], 4);
  EXPECT_EQ(d["col"], 5);
  EXPECT_EQ(d["path"], "resources.local.file.a.contnet");
  EXPECT_NE(d["hint"].get<std::string>().find("content"), std::string::npos);
}

TEST_F(OperatorTest, ApplyJsonAndDetailedExitCodes) {
  UseQuickstart();
  CommandResult noconfirm = Cairn({"apply", "--json"});
  EXPECT_EQ(noconfirm.exit_code, 1);
  EXPECT_NE(noconfirm.out.find("--auto-approve"), std::string::npos) << noconfirm.out;

  CommandResult r = Cairn({"apply", "--auto-approve", "--json", "--detailed-exitcode"});
  ASSERT_EQ(r.exit_code, 2) << r.out << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);  // progress lines must not leak into stdout
  EXPECT_EQ(j["command"], "apply");
  EXPECT_EQ(j["success"], true);
  EXPECT_EQ(j["summary"]["applied"], 4);
  EXPECT_EQ(j["state_serial"], 1);
  ASSERT_EQ(j["resources"].size(), 4u);
  for (const nlohmann::json& res : j["resources"]) EXPECT_EQ(res["outcome"], "applied") << res;

  EXPECT_EQ(Cairn({"apply", "--auto-approve", "--detailed-exitcode"}).exit_code, 0);
  EXPECT_EQ(Cairn({"plan", "--detailed-exitcode"}).exit_code, 0);

  nlohmann::json show = nlohmann::json::parse(Cairn({"show", "--json"}).out);
  EXPECT_EQ(show["serial"], 1);
  EXPECT_EQ(show["resources"].size(), 4u);
  nlohmann::json list = nlohmann::json::parse(Cairn({"state", "list", "--json"}).out);
  EXPECT_EQ(list["resources"][0]["address"], "local.directory.site");
}

TEST_F(OperatorTest, TargetPlansOnlyTheTargetAndItsDependencies) {
  UseQuickstart();
  CommandResult plan = Cairn({"plan", "--target", "local.file.motd"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.err.find("this plan is partial"), std::string::npos) << plan.err;
  EXPECT_NE(plan.out.find("local.directory.site will be created"), std::string::npos);
  EXPECT_EQ(plan.out.find("local.file.hosts"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("Plan: 2 to add"), std::string::npos) << plan.out;

  ASSERT_EQ(Cairn({"apply", "--auto-approve", "--target", "local.file.motd"}).exit_code, 0);
  EXPECT_EQ(Cairn({"state", "list"}).out, "local.directory.site\nlocal.file.motd\n");
  CommandResult typo = Cairn({"plan", "--target", "local.file.mtod"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("did you mean 'local.file.motd'?"), std::string::npos) << typo.err;

  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  CommandResult destroy = Cairn({"destroy", "--auto-approve", "--target", "local.directory.site"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy.out << destroy.err;
  // Everything in the folder depends on it, so it all goes; the folder last.
  EXPECT_NE(destroy.out.find("Resources: 4 destroyed."), std::string::npos) << destroy.out;
  EXPECT_EQ(Cairn({"state", "list"}).out, "");
}

TEST_F(OperatorTest, RefreshOnlyRecordsDriftAndChangesNothingLive) {
  UseQuickstart();
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  WriteFile(Out("site/motd.txt"), "edited by hand\n");

  CommandResult plan = Cairn({"plan", "--refresh-only", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.err;
  EXPECT_NE(plan.out.find("changed outside of cairn"), std::string::npos) << plan.out;
  EXPECT_EQ(plan.out.find("will be updated"), std::string::npos) << plan.out;

  CommandResult apply = Cairn({"apply", "--refresh-only", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  EXPECT_EQ(ReadFile(Out("site/motd.txt")), "edited by hand\n");
  nlohmann::json show =
      nlohmann::json::parse(Cairn({"state", "show", "local.file.motd", "--json"}).out);
  EXPECT_EQ(show["resource"]["attributes"]["content"], "edited by hand\n");
  nlohmann::json st = nlohmann::json::parse(Cairn({"show", "--json"}).out);
  EXPECT_EQ(st["serial"], 2);
  EXPECT_EQ(Cairn({"plan", "--refresh-only", "--detailed-exitcode"}).exit_code, 0);
  // A normal plan now wants to put the blueprint's content back.
  EXPECT_NE(Cairn({"plan"}).out.find("local.file.motd will be updated in-place"),
            std::string::npos);
}

}  // namespace
}  // namespace cairn::testing
