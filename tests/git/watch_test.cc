// End-to-end: `cairn watch` following a branch served by a real `git daemon` on 127.0.0.1:
// successive commits applied, a delete held back in safe mode, the remote going away and
// coming back, SIGTERM; and over file:// the report-only mode and a refused rollback.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/git/watch_fixture.h"

namespace cairn::testing {
namespace {

class WatchTest : public WatchFixture {};

TEST_F(WatchTest, FollowsTheBranchHoldsDeletesAndSurvivesTheRemoteGoingAway) {
  StartDaemon();
  std::string url = "git://127.0.0.1:" + std::to_string(port_) + "/site.git";
  BackgroundProcess watch;
  std::vector<std::string> args = WatchArgs(url);
  args.push_back("--auto-approve=safe");
  ASSERT_TRUE(watch.Start(args, remotes_.path(), GitEnv(), remotes_.Join("watch")));

  ASSERT_TRUE(WaitForDecision(c1_, "applied")) << watch.out() << watch.err();
  EXPECT_EQ(Notes(), (std::map<std::string, std::string>{{"memo.note.a", "one"}}));

  std::string c2 = Push({{"a", "one"}, {"b", "bee"}}, "note b");
  ASSERT_TRUE(WaitForDecision(c2, "applied")) << watch.out() << watch.err();
  EXPECT_EQ(Notes().at("memo.note.b"), "bee");
  EXPECT_EQ(Status().Find("live_commit")->AsString(), c2);
  EXPECT_EQ(Status().Find("changes")->Find("add")->AsInt(), 1);

  // Safe mode: a plan that deletes waits for a person.
  std::string c3 = Push({{"b", "bee"}}, "drop note a");
  ASSERT_TRUE(WaitForDecision(c3, "held")) << watch.out() << watch.err();
  EXPECT_EQ(Status().Find("changes")->Find("delete")->AsInt(), 1);
  EXPECT_TRUE(Has(Status().Find("reason")->AsString(), "cairn apply --rev " + c3.substr(0, 12)));
  EXPECT_EQ(Notes().count("memo.note.a"), 1u);
  EXPECT_EQ(Status().Find("live_commit")->AsString(), c2);

  // The remote goes away: failures are recorded and backed off; then it comes back.
  ASSERT_GE(daemon_.Stop(), 0);
  ASSERT_TRUE(WaitForDecision("", "fetch-failed")) << watch.out() << watch.err();
  ASSERT_TRUE(
      WaitFor([&] { return Status().Find("consecutive_failures")->AsInt() >= 2; }, kPatience));
  EXPECT_LE(Status().Find("next_check_seconds")->AsNumber(), 1.0);  // --max-backoff
  std::string c4 = Push({{"a", "one"}, {"b", "buzz"}}, "change note b");
  StartDaemon();
  ASSERT_TRUE(WaitForDecision(c4, "applied")) << watch.out() << watch.err();
  EXPECT_EQ(Notes().at("memo.note.b"), "buzz");
  EXPECT_EQ(Status().Find("consecutive_failures")->AsInt(), 0);

  // SIGTERM stops it between steps.
  watch.Signal(SIGTERM);
  EXPECT_EQ(watch.Wait(kPatience), 0) << watch.err();
  EXPECT_TRUE(Has(watch.out(), "Stopped.")) << watch.out();

  // Every decision is in the log, in order.
  std::string log = ReadFile(deploy_ + "/.cairn/watch-log.jsonl");
  size_t at = 0;
  for (const char* want :
       {"\"applied\"", "\"applied\"", "\"held\"", "\"fetch-failed\"", "\"applied\""}) {
    at = log.find("\"decision\":" + std::string(want), at);
    ASSERT_NE(at, std::string::npos) << want << " missing from:\n" << log;
    ++at;
  }
  // The applies are in the state's history with their commits.
  CommandResult h = RunCommand({CairnBinary(), "-f", deploy_ + "/blueprint.yaml", "history"},
                               remotes_.path(), GitEnv());
  EXPECT_TRUE(Has(h.out, c1_.substr(0, 12)) && Has(h.out, c2.substr(0, 12)) &&
              Has(h.out, c4.substr(0, 12)))
      << h.out;
  EXPECT_FALSE(Has(h.out, c3.substr(0, 12))) << h.out;
}

TEST_F(WatchTest, WithoutAutoApproveOnlyReports) {
  BackgroundProcess watch;
  std::vector<std::string> args = WatchArgs("file://" + bare_);
  args.push_back("--once");
  ASSERT_TRUE(watch.Start(args, remotes_.path(), GitEnv(), remotes_.Join("watch")));
  ASSERT_EQ(watch.Wait(kPatience), 0) << watch.out() << watch.err();
  EXPECT_EQ(Status().Find("decision")->AsString(), "planned");
  EXPECT_EQ(Status().Find("changes")->Find("add")->AsInt(), 1);
  EXPECT_TRUE(Has(watch.out(), "+ text = \"one\"")) << watch.out();
  EXPECT_TRUE(Notes().empty());
}

TEST_F(WatchTest, NeverAppliesAnOlderCommitThanTheLiveOne) {
  std::string c2 = Push({{"a", "two"}}, "second");
  std::vector<std::string> args = WatchArgs("file://" + bare_);
  args.insert(args.end(), {"--once", "--auto-approve"});
  CommandResult first = RunCommand(args, remotes_.path(), GitEnv());
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(Status().Find("decision")->AsString(), "applied");

  // Someone force-pushes the branch back to the first commit.
  Git(dir_.path(), {"push", "-q", "--force", bare_, c1_ + ":refs/heads/main"});
  CommandResult second = RunCommand(args, remotes_.path(), GitEnv());
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_EQ(Status().Find("decision")->AsString(), "refused");
  EXPECT_EQ(Status().Find("commit")->AsString(), c1_);
  EXPECT_TRUE(Has(second.err, "rolls back")) << second.err;
  EXPECT_EQ(Notes().at("memo.note.a"), "two");
}

TEST_F(WatchTest, AFailedPlanSaysWhyInTheStatusFile) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\nresources:\n  memo.note.a:\n    txet: one\n");
  std::string bad = CommitAll(dir_.path(), "misspell text");
  Git(dir_.path(), {"push", "-q", "--force", bare_, "HEAD:main"});
  std::vector<std::string> args = WatchArgs("file://" + bare_);
  args.insert(args.end(), {"--once", "--auto-approve"});
  CommandResult r = RunCommand(args, remotes_.path(), GitEnv());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Status().Find("decision")->AsString(), "plan-failed");
  EXPECT_EQ(Status().Find("commit")->AsString(), bad);
  std::string reason = Status().Find("reason")->AsString();
  // The first error, with where it is, as the log shows it; not the ones after it.
  EXPECT_TRUE(Has(reason, "blueprint.yaml@" + bad.substr(0, 12) + ":4:5: ")) << reason;
  EXPECT_TRUE(Has(reason, "unknown attribute 'txet'")) << reason;
  EXPECT_TRUE(Has(r.err, "unknown attribute 'txet'")) << r.err;
  EXPECT_FALSE(Has(reason, "missing required attribute")) << reason;
  EXPECT_TRUE(Notes().empty());
}

}  // namespace
}  // namespace cairn::testing
