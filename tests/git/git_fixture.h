// Shared set-up for the git tests: repositories made with the git program as a user makes them
// (own HOME, no system config, fixed author), in a temporary folder that also holds the work
// tree of tests/cli's CliFixture.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/cli/cli_fixture.h"
#include "tests/support/background.h"
#include "tests/support/test_support.h"

namespace cairn::testing {

/// Whether `text` contains `part`.
inline bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class GitFixture : public CliFixture {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunCommand({"git", "--version"}).exit_code, 0)
        << "the git program is missing: install git (.ci/install-deps.sh does)";
  }

  /// The environment git and cairn run with: a private HOME and a fixed identity.
  virtual std::vector<std::string> GitEnv() const {
    return {"HOME=" + home_.path(),   "GIT_CONFIG_NOSYSTEM=1",
            "GIT_AUTHOR_NAME=Ada",    "GIT_AUTHOR_EMAIL=ada@example.org",
            "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.org",
            "GIT_TERMINAL_PROMPT=0"};
  }

  /// Runs git in `repo`; a failure fails the test. Returns stdout without the final newline.
  std::string Git(const std::string& repo, std::vector<std::string> args) {
    args.insert(args.begin(), "git");
    CommandResult r = RunCommand(args, repo, GitEnv());
    EXPECT_EQ(r.exit_code, 0) << "git " << args[1] << " in " << repo << ": " << r.err;
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }

  /// `git init -b main` of `path` (created).
  void Init(const std::string& path) {
    mkdir(path.c_str(), 0700);
    Git(path, {"init", "-q", "-b", "main"});
  }

  /// Commits everything in `repo` (git add -A) and returns the new commit's id.
  std::string CommitAll(const std::string& repo, const std::string& message) {
    Git(repo, {"add", "-A"});
    Git(repo, {"commit", "-q", "-m", message});
    return Git(repo, {"rev-parse", "HEAD"});
  }

  /// cairn run in the work tree with the git environment.
  CommandResult CairnGit(std::vector<std::string> args) { return Cairn(std::move(args), GitEnv()); }

  TempDir home_;
};

}  // namespace cairn::testing
