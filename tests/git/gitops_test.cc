// End-to-end: plan and apply of a blueprint kept in git, through the cairn binary. Commits
// recorded in the state, uncommitted changes refused, --rev reading the blueprint and in-repo
// plugins of a commit, rollbacks refused, `cairn history` and `cairn diff`.
#include <gtest/gtest.h>

#include "engine/base/json.h"
#include "tests/git/git_fixture.h"

namespace cairn::testing {
namespace {

class GitopsTest : public GitFixture {
 protected:
  void SetUp() override {
    GitFixture::SetUp();
    Init(dir_.path());
    WriteFile(dir_.Join(".gitignore"), ".cairn/\n");
    UseMemoPlugin("1.0.0");
    WriteFile(dir_.Join("blueprint.yaml"),
              "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: one\n");
    first_ = CommitAll(dir_.path(), "first note");
  }

  // The apply records, read back through `cairn history --json`.
  Value History() {
    CommandResult r = CairnGit({"history", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Result<Value> doc = ParseJson(r.out);
    EXPECT_TRUE(doc.ok()) << r.out;
    return doc.ok() ? *doc->Find("applies") : Value();
  }

  std::string first_;
};

TEST_F(GitopsTest, ApplyRecordsTheCommitInHistory) {
  CommandResult r = CairnGit({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Value h = History();
  ASSERT_EQ(h.size(), 1u);
  const Value& rec = h.AsList()[0];
  EXPECT_EQ(rec.Find("commit")->AsString(), first_);
  EXPECT_FALSE(rec.Find("dirty")->AsBool());
  EXPECT_EQ(rec.Find("result")->AsString(), "success");
  EXPECT_EQ(rec.Find("serial")->AsInt(), 1);
  EXPECT_EQ(rec.Find("changes")->Find("add")->AsInt(), 1);

  Result<Value> plan = ParseJson(CairnGit({"plan", "--json"}).out);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->Find("git")->Find("commit")->AsString(), first_);
  EXPECT_FALSE(plan->Find("git")->Find("dirty")->AsBool());

  CommandResult text = CairnGit({"history"});
  EXPECT_TRUE(Has(text.out, first_.substr(0, 12) + " first note")) << text.out;
  EXPECT_TRUE(Has(text.out, "+1 ~0 -/+0 -0")) << text.out;
}

TEST_F(GitopsTest, DirtyWorkTreeIsRefusedWithTheChangedFiles) {
  Edit("text: one", "text: uncommitted");
  WriteFile(dir_.Join("notes.txt"), "scratch\n");
  CommandResult r = CairnGit({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "uncommitted changes:\n    blueprint.yaml\n    notes.txt")) << r.err;
  EXPECT_TRUE(Has(r.err, "--allow-dirty")) << r.err;
  EXPECT_FALSE(FileExists(dir_.Join(".cairn/state.json")));

  r = CairnGit({"apply", "--auto-approve", "--allow-dirty"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Value h = History();
  ASSERT_EQ(h.size(), 1u);
  EXPECT_TRUE(h.AsList()[0].Find("dirty")->AsBool());
  EXPECT_TRUE(Has(CairnGit({"history"}).out, "(dirty)"));
}

TEST_F(GitopsTest, ASavedPlanBesideTheBlueprintIsNotAnUncommittedChange) {
  ASSERT_EQ(CairnGit({"plan", "-out", "site.plan"}).exit_code, 0);
  CommandResult r = CairnGit({"apply", "site.plan"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(History().AsList()[0].Find("dirty")->AsBool());
}

TEST_F(GitopsTest, OnlyWhatTheRunReadsCountsAsUncommitted) {
  // The blueprint and its plugins live in deploy/; the application's code beside them.
  WriteFile(dir_.Join("deploy/.keep"), "");
  Git(dir_.path(), {"mv", "blueprint.yaml", "plugins", "deploy/"});
  WriteFile(dir_.Join("app/main.c"), "int main() { return 0; }\n");
  CommitAll(dir_.path(), "move to deploy/");
  WriteFile(dir_.Join("app/main.c"), "work in progress\n");
  CommandResult r = CairnGit({"-f", "deploy/blueprint.yaml", "apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  WriteFile(dir_.Join("deploy/plugins/memo/notes.txt"), "a plugin file\n");
  r = CairnGit({"-f", "deploy/blueprint.yaml", "apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "uncommitted changes:\n    deploy/plugins/memo/notes.txt\n")) << r.err;
}

TEST_F(GitopsTest, AnIgnoredBlueprintIsNotKeptInGit) {
  WriteFile(dir_.Join(".gitignore"), ".cairn/\ngenerated/\n");
  CommitAll(dir_.path(), "ignore generated/");
  WriteFile(dir_.Join("generated/blueprint.yaml"), "resources:\n  memo.note.g:\n    text: gen\n");
  CommandResult r = CairnGit(
      {"-f", "generated/blueprint.yaml", "--plugin-dir", "plugins", "apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<Value> st = ParseJson(ReadFile(dir_.Join("generated/.cairn/state.json")));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->Find("history")->AsList()[0].Find("commit")->AsString(), "");
}

TEST_F(GitopsTest, PlanFromARevReadsThatCommitAndLeavesTheWorkTree) {
  // The second commit changes the note and the plugin; the work tree then changes again.
  Edit("text: one", "text: two");
  UseMemoPlugin("2.0.0");
  std::string second = CommitAll(dir_.path(), "second");
  Edit("text: two", "text: work tree only");
  std::string before = ReadFile(dir_.Join("blueprint.yaml"));

  CommandResult r = CairnGit({"plan", "--rev", first_, "-out", "first.plan"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "+ text = \"one\"")) << r.out;
  EXPECT_EQ(ReadFile(dir_.Join("blueprint.yaml")), before);
  Result<Value> saved = ParseJson(ReadFile(dir_.Join("first.plan")));
  ASSERT_TRUE(saved.ok());
  EXPECT_EQ(saved->Find("git")->Find("commit")->AsString(), first_);
  // The plugin is the commit's copy too (1.0.0, not the 2.0.0 on disk).
  std::string memo_version;
  for (const Value& p : saved->Find("prior")->Find("plugins")->AsList())
    if (p.Find("name")->AsString() == "memo") memo_version = p.Find("version")->AsString();
  EXPECT_EQ(memo_version, "1.0.0");

  r = CairnGit({"plan", "--rev", "main"});
  EXPECT_TRUE(Has(r.out, "+ text = \"two\"")) << r.out;
  r = CairnGit({"plan", "--rev", "no-such-branch"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "no-such-branch")) << r.err;

  // Applying a commit needs no clean work tree: nothing of the work tree is applied.
  r = CairnGit({"apply", "--rev", second, "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Value h = History();
  EXPECT_EQ(h.AsList().back().Find("commit")->AsString(), second);
  EXPECT_FALSE(h.AsList().back().Find("dirty")->AsBool());
}

TEST_F(GitopsTest, ABlueprintErrorInACommitNamesTheCommit) {
  WriteFile(dir_.Join("blueprint.yaml"), "plugins: [plugins]\nresources:\n  memo.note.a: [\n");
  std::string broken = CommitAll(dir_.path(), "broken");
  Git(dir_.path(), {"checkout", "-q", first_, "--", "blueprint.yaml"});
  CommandResult r = CairnGit({"plan", "--rev", broken});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "blueprint.yaml@" + broken.substr(0, 12) + ":")) << r.err;
}

TEST_F(GitopsTest, ApplyingAnOlderCommitNeedsAllowRollback) {
  ASSERT_EQ(CairnGit({"apply", "--auto-approve"}).exit_code, 0);
  Edit("text: one", "text: two");
  std::string second = CommitAll(dir_.path(), "second");
  ASSERT_EQ(CairnGit({"apply", "--auto-approve"}).exit_code, 0);

  CommandResult plan = CairnGit({"plan", "--rev", first_});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(Has(plan.err, "not a descendant of the live commit " + second.substr(0, 12)))
      << plan.err;

  Git(dir_.path(), {"checkout", "-q", first_});
  CommandResult r = CairnGit({"apply", "--auto-approve"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "rolls back")) << r.err;
  EXPECT_TRUE(Has(r.err, "--allow-rollback")) << r.err;
  EXPECT_EQ(History().size(), 2u);

  r = CairnGit({"apply", "--auto-approve", "--allow-rollback"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.err, "rolls back")) << r.err;
  Value h = History();
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h.AsList()[2].Find("commit")->AsString(), first_);
  EXPECT_EQ(h.AsList()[2].Find("changes")->Find("change")->AsInt(), 1);
}

TEST_F(GitopsTest, DiffShowsWhatChangesBetweenTwoCommitsWithoutState) {
  Edit("text: one", "text: two\n  memo.note.b:\n    text: bee");
  CommitAll(dir_.path(), "second");
  CommandResult r = CairnGit({"diff", first_, "main", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(Has(r.out, "memo.note.a will be updated in-place")) << r.out;
  EXPECT_TRUE(Has(r.out, "~ text = \"one\" -> \"two\"")) << r.out;
  EXPECT_TRUE(Has(r.out, "memo.note.b will be created")) << r.out;
  EXPECT_TRUE(Has(r.out, "Plan: 1 to add, 1 to change, 0 to destroy.")) << r.out;
  EXPECT_FALSE(FileExists(dir_.Join(".cairn/state.json")));

  r = CairnGit({"diff", "main", first_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Has(r.out, "memo.note.b will be destroyed")) << r.out;
  EXPECT_EQ(CairnGit({"diff", "main", "main", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(GitopsTest, OutsideARepositoryNothingIsRecordedOrRefused) {
  TempDir plain;
  WriteFile(plain.Join("blueprint.yaml"), "resources:\n  memo.note.a:\n    text: one\n");
  CommandResult r =
      RunCommand({CairnBinary(), "--plugin-dir", dir_.Join("plugins"), "apply", "--auto-approve"},
                 plain.path(), GitEnv());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Result<Value> st = ParseJson(ReadFile(plain.Join(".cairn/state.json")));
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->Find("history")->AsList()[0].Find("commit")->AsString(), "");
  r = RunCommand({CairnBinary(), "plan", "--rev", "HEAD"}, plain.path(), GitEnv());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "not inside a git repository")) << r.err;
}

}  // namespace
}  // namespace cairn::testing
