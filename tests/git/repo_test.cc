// The git stage against repositories made by the git program: resolving, reading a commit's
// files while the work tree differs, uncommitted files, ancestry and fetching from file://.
#include "engine/git/repo.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "tests/git/git_fixture.h"

namespace cairn::testing {
namespace {

class RepoTest : public GitFixture {
 protected:
  void SetUp() override {
    GitFixture::SetUp();
    Init(dir_.path());
    WriteFile(dir_.Join(".gitignore"), ".cairn/\n*.log\n");
    WriteFile(dir_.Join("site/blueprint.yaml"), "resources: {}\n");
    WriteFile(dir_.Join("site/plugins/memo/provider.lua"), "return {}\n");
    first_ = CommitAll(dir_.path(), "first");
    WriteFile(dir_.Join("site/blueprint.yaml"), "resources: {a: 1}\n");
    second_ = CommitAll(dir_.path(), "second");
    Git(dir_.path(), {"tag", "v2"});
  }

  std::unique_ptr<git::Repo> Open(const std::string& path) {
    Result<std::unique_ptr<git::Repo>> r = git::Repo::Discover(path);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(*r) : nullptr;
  }

  std::string first_, second_;
};

TEST_F(RepoTest, DiscoversTheRepositoryAboveAFile) {
  auto repo = Open(dir_.Join("site/blueprint.yaml"));
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(repo->workdir(), dir_.path());
  TempDir elsewhere;
  Result<std::unique_ptr<git::Repo>> none = git::Repo::Discover(elsewhere.Join("blueprint.yaml"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
}

// Outside a repository cairn does not start libgit2 at all (it looks for a .git first); these
// are the places where that look must still find one.
TEST_F(RepoTest, DiscoversThroughASymlinkAGitfileAndABareRepository) {
  TempDir elsewhere;
  std::filesystem::create_directory_symlink(dir_.Join("site"), elsewhere.Join("linked"));
  auto linked = Open(elsewhere.Join("linked/blueprint.yaml"));
  ASSERT_NE(linked, nullptr);
  EXPECT_EQ(linked->workdir(), dir_.path());

  TempDir worktree;
  Git(dir_.path(), {"worktree", "add", "-q", worktree.Join("wt"), "HEAD"});
  auto via_gitfile = Open(worktree.Join("wt/site/blueprint.yaml"));
  ASSERT_NE(via_gitfile, nullptr);
  EXPECT_EQ(via_gitfile->workdir(), worktree.Join("wt"));

  TempDir bare_parent;
  Git(bare_parent.path(), {"clone", "-q", "--bare", dir_.path(), "bare.git"});
  Result<std::unique_ptr<git::Repo>> bare = git::Repo::Discover(bare_parent.Join("bare.git"));
  ASSERT_TRUE(bare.ok()) << bare.status().message();
  EXPECT_EQ((*bare)->workdir(), "");
}

TEST_F(RepoTest, ResolvesIdsBranchesTagsAndExpressions) {
  auto repo = Open(dir_.path());
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(repo->Resolve("main")->id, second_);
  EXPECT_EQ(repo->Resolve("v2")->id, second_);
  EXPECT_EQ(repo->Resolve("HEAD~1")->id, first_);
  EXPECT_EQ(repo->Resolve(first_.substr(0, 8))->id, first_);
  Result<git::CommitInfo> head = repo->Head();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->summary, "second");
  EXPECT_EQ(head->author, "Ada <ada@example.org>");
  Result<git::CommitInfo> bad = repo->Resolve("no-such-branch");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no-such-branch"), std::string::npos);
}

TEST_F(RepoTest, ReadsACommitsFilesNotTheWorkTree) {
  WriteFile(dir_.Join("site/blueprint.yaml"), "edited, not committed\n");
  auto repo = Open(dir_.path());
  ASSERT_NE(repo, nullptr);
  EXPECT_EQ(*repo->ReadFile(first_, "site/blueprint.yaml"), "resources: {}\n");
  EXPECT_EQ(*repo->ReadFile("main", "site/blueprint.yaml"), "resources: {a: 1}\n");
  Result<std::string> missing = repo->ReadFile(first_, "site/nope.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(ReadFile(dir_.Join("site/blueprint.yaml")), "edited, not committed\n");

  TempDir out;
  ASSERT_TRUE(repo->ExportDir(first_, "site/plugins", out.Join("plugins")).ok());
  EXPECT_EQ(ReadFile(out.Join("plugins/memo/provider.lua")), "return {}\n");
}

TEST_F(RepoTest, ListsUncommittedFilesButNotIgnoredOrExcludedOnes) {
  auto repo = Open(dir_.path());
  ASSERT_NE(repo, nullptr);
  EXPECT_TRUE(repo->ChangedFiles({}, {})->empty());
  WriteFile(dir_.Join("site/blueprint.yaml"), "changed\n");  // modified
  WriteFile(dir_.Join("site/new.yaml"), "x\n");              // untracked
  WriteFile(dir_.Join("debug.log"), "x\n");                  // ignored
  WriteFile(dir_.Join("state/state.json"), "{}\n");          // excluded by the caller
  WriteFile(dir_.Join("staged.txt"), "x\n");
  Git(dir_.path(), {"add", "staged.txt"});
  std::vector<std::string> want = {"site/blueprint.yaml", "site/new.yaml", "staged.txt"};
  EXPECT_EQ(*repo->ChangedFiles({}, {"state"}), want);
  std::vector<std::string> site = {"site/blueprint.yaml", "site/new.yaml"};
  EXPECT_EQ(*repo->ChangedFiles({"site"}, {}), site);
  EXPECT_TRUE(repo->IsIgnored("debug.log"));
  EXPECT_FALSE(repo->IsIgnored("site/new.yaml"));
}

TEST_F(RepoTest, TellsDescendantsFromRollbacks) {
  auto repo = Open(dir_.path());
  ASSERT_NE(repo, nullptr);
  EXPECT_TRUE(*repo->Contains(second_, first_));
  EXPECT_TRUE(*repo->Contains(second_, second_));
  EXPECT_FALSE(*repo->Contains(first_, second_));
  // A branch from the first commit is not a descendant of the second either.
  Git(dir_.path(), {"checkout", "-q", "-b", "other", first_});
  WriteFile(dir_.Join("other.txt"), "x\n");
  std::string other = CommitAll(dir_.path(), "other");
  EXPECT_FALSE(*repo->Contains(other, second_));
  EXPECT_TRUE(*repo->Contains(other, first_));
}

TEST_F(RepoTest, FetchesABranchFromAFileRemote) {
  TempDir remotes;
  std::string bare = remotes.Join("site.git");
  Git(remotes.path(), {"clone", "-q", "--bare", dir_.path(), bare});
  std::string clone = remotes.Join("clone");
  Git(remotes.path(), {"clone", "-q", "file://" + bare, clone});
  auto repo = Open(clone);
  ASSERT_NE(repo, nullptr);
  Result<std::string> got = repo->FetchBranch("origin", "main", {});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, second_);

  WriteFile(dir_.Join("third.txt"), "x\n");
  std::string third = CommitAll(dir_.path(), "third");
  Git(dir_.path(), {"push", "-q", bare, "main"});
  got = repo->FetchBranch("file://" + bare, "main", {});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, third);
  EXPECT_EQ(*repo->ReadFile(third, "third.txt"), "x\n");

  Result<std::string> gone = repo->FetchBranch("file://" + remotes.Join("missing.git"), "main", {});
  EXPECT_FALSE(gone.ok());
}

}  // namespace
}  // namespace cairn::testing
