// cairn opens libgit2, libcrypto and libcurl on first use (engine/git/lazy_git2.cc,
// engine/base/lazy_crypto.cc, engine/base/lazy_curl.h) instead of at start: a run that needs none
// of them does not load them, one that does still works, and the binary exports none of the
// functions it forwards (which would then stand in for the libraries' own).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/cli/cli_fixture.h"

namespace cairn::testing {
namespace {

class StartupLibrariesTest : public CliFixture {
 protected:
  /// Runs cairn with the loader reporting each library it opens (LD_DEBUG=files, on stderr).
  CommandResult Traced(std::vector<std::string> args) {
    return Cairn(std::move(args), {"LD_DEBUG=files"});
  }
  static bool Opened(const CommandResult& r, const std::string& soname) {
    return r.err.find("file=" + soname) != std::string::npos;
  }
  void UseMemoBlueprint() {
    UseMemoPlugin("1.0.0");
    WriteFile(dir_.Join("blueprint.yaml"),
              "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: hello\n");
  }
};

TEST_F(StartupLibrariesTest, VersionAndValidateLoadNoneOfThem) {
  UseQuickstart();
  for (std::vector<std::string> args : {std::vector<std::string>{"--version"}, {"validate"}}) {
    CommandResult r = Traced(args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    ASSERT_TRUE(Opened(r, "libc.so.6")) << "LD_DEBUG=files reported nothing: " << r.err;
    EXPECT_FALSE(Opened(r, "libgit2.so")) << args[0];
    EXPECT_FALSE(Opened(r, "libcrypto.so")) << args[0];
    EXPECT_FALSE(Opened(r, "libcurl.so")) << args[0];
  }
}

TEST_F(StartupLibrariesTest, LocalPlanOutsideGitLoadsNoneAndASavedPlanLoadsCrypto) {
  UseMemoBlueprint();
  CommandResult plan = Traced({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_FALSE(Opened(plan, "libgit2.so"));
  EXPECT_FALSE(Opened(plan, "libcrypto.so"));

  // A saved plan carries a SHA-256 of the state it was made from: libcrypto, loaded on demand.
  CommandResult saved = Traced({"plan", "-out", "p.plan"});
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  EXPECT_TRUE(Opened(saved, "libcrypto.so.3"));
  CommandResult apply = Cairn({"apply", "p.plan"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("Apply complete!"), std::string::npos) << apply.out;
}

TEST_F(StartupLibrariesTest, PlanInAGitRepositoryLoadsLibgit2) {
  UseMemoBlueprint();
  for (std::vector<std::string> git :
       {std::vector<std::string>{"git", "init", "-q", "-b", "main"},
        {"git", "add", "-A"},
        {"git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "one"}}) {
    CommandResult r = RunCommand(git, dir_.path());
    ASSERT_EQ(r.exit_code, 0) << "git (installed by .ci/install-deps.sh): " << r.err;
  }
  CommandResult plan = Traced({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_TRUE(Opened(plan, "libgit2.so.1.5")) << plan.err;
  EXPECT_NE(plan.out.find("Plan: 1 to add"), std::string::npos) << plan.out;
}

TEST_F(StartupLibrariesTest, TheBinaryExportsNoForwarder) {
  CommandResult nm = RunCommand({"nm", "-D", "--defined-only", CairnBinary()});
  ASSERT_EQ(nm.exit_code, 0) << "nm (binutils, installed with the compiler): " << nm.err;
  for (const char* prefix : {" git_", " EVP_", " RAND_", " PKCS5_", " HMAC", " SHA256", " curl_"})
    EXPECT_EQ(nm.out.find(prefix), std::string::npos) << prefix << " in:\n" << nm.out;
}

}  // namespace
}  // namespace cairn::testing
