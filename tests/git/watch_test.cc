// End-to-end: `cairn watch` following a branch served by a real `git daemon` on 127.0.0.1:
// successive commits applied, a delete held back in safe mode, the remote going away and
// coming back, SIGTERM; and over file:// the report-only mode and a refused rollback.
#include <gtest/gtest.h>
#include <signal.h>

#include "engine/base/json.h"
#include "tests/git/git_fixture.h"

namespace cairn::testing {
namespace {

constexpr double kPatience = 60;  // seconds to wait for a decision on a loaded machine

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class WatchTest : public GitFixture {
 protected:
  void SetUp() override {
    GitFixture::SetUp();
    Init(dir_.path());
    WriteFile(dir_.Join(".gitignore"), ".cairn/\n");
    UseMemoPlugin("1.0.0");
    WriteFile(dir_.Join("blueprint.yaml"), Blueprint({{"a", "one"}}));
    c1_ = CommitAll(dir_.path(), "note a");
    bare_ = remotes_.Join("site.git");
    Git(remotes_.path(), {"clone", "-q", "--bare", dir_.path(), bare_});
    deploy_ = remotes_.Join("deploy");
    Git(remotes_.path(), {"clone", "-q", "file://" + bare_, deploy_});
  }

  static std::string Blueprint(const std::vector<std::pair<std::string, std::string>>& notes) {
    std::string out = "plugins: [plugins]\nresources:\n";
    for (const auto& [name, text] : notes)
      out += "  memo.note." + name + ":\n    text: " + text + "\n";
    return out;
  }

  // Commits a new blueprint in the author's repository and pushes it to the bare remote.
  std::string Push(const std::vector<std::pair<std::string, std::string>>& notes,
                   const std::string& message) {
    WriteFile(dir_.Join("blueprint.yaml"), Blueprint(notes));
    std::string id = CommitAll(dir_.path(), message);
    Git(dir_.path(), {"push", "-q", "--force", bare_, "HEAD:main"});
    return id;
  }

  void StartDaemon() {
    CommandResult exec = RunCommand({"git", "--exec-path"});
    std::string dir = exec.out.substr(0, exec.out.find('\n'));
    ASSERT_TRUE(FileExists(dir + "/git-daemon"))
        << "git daemon is missing (" << dir << "/git-daemon): install git "
        << "(.ci/install-deps.sh does)";
    if (port_ < 0) port_ = FreeLocalPort();
    ASSERT_TRUE(daemon_.Start(
        {"git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + std::to_string(port_),
         "--base-path=" + remotes_.path(), "--export-all", "--informative-errors", remotes_.path()},
        remotes_.path(), GitEnv(), remotes_.Join("daemon")));
    ASSERT_TRUE(WaitFor([&] { return PortOpen(port_); }, kPatience))
        << "git daemon did not listen on 127.0.0.1:" << port_ << ": " << daemon_.err();
  }

  std::vector<std::string> WatchArgs(const std::string& remote) {
    return {CairnBinary(),   "-f",         deploy_ + "/blueprint.yaml",
            "--no-color",    "watch",      "--remote",
            remote,          "--interval", "0.2s",
            "--max-backoff", "1s",         "--status-file",
            status_file_};
  }

  // The status file, or null while it does not exist yet.
  Value Status() {
    if (!FileExists(status_file_)) return Value();
    Result<Value> v = ParseJson(ReadFile(status_file_));
    return v.ok() ? *v : Value();
  }

  // Waits until the status file reports `decision` for `commit` ("" : any commit).
  bool WaitForDecision(const std::string& commit, const std::string& decision) {
    return WaitFor(
        [&] {
          Value s = Status();
          if (!s.is_map()) return false;
          return s.Find("decision")->AsString() == decision &&
                 (commit.empty() || s.Find("commit")->AsString() == commit);
        },
        kPatience);
  }

  // The notes in the deployed state: address -> text.
  std::map<std::string, std::string> Notes() {
    std::map<std::string, std::string> out;
    Result<Value> st = ParseJson(ReadFile(deploy_ + "/.cairn/state.json"));
    if (!st.ok()) return out;
    for (const Value& r : st->Find("resources")->AsList())
      out[r.Find("address")->AsString()] = r.Find("attributes")->Find("text")->AsString();
    return out;
  }

  TempDir remotes_;
  std::string bare_, deploy_, c1_;
  std::string status_file_ = remotes_.Join("status.json");
  int port_ = -1;
  BackgroundProcess daemon_;
};

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

}  // namespace
}  // namespace cairn::testing
