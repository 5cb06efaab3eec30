// cairn watch over https: git's own http-backend behind a TLS server whose certificate is signed
// by a CA made in the test; trusted only with --ca-file.
#include <gtest/gtest.h>

#include "tests/git/git_fixture.h"
#include "tests/git/https_git_server.h"

namespace cairn::testing {
namespace {

TEST_F(GitFixture, WatchFetchesOverHttpsWithAPrivateCa) {
  Init(dir_.path());
  WriteFile(dir_.Join(".gitignore"), ".cairn/\n");
  UseMemoPlugin("1.0.0");
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: over https\n");
  std::string commit = CommitAll(dir_.path(), "first");
  TempDir remotes, certs;
  Git(remotes.path(), {"clone", "-q", "--bare", dir_.path(), remotes.Join("site.git")});
  std::string deploy = remotes.Join("deploy");
  Git(remotes.path(), {"clone", "-q", "file://" + remotes.Join("site.git"), deploy});

  std::string error;
  ASSERT_TRUE(MakeTestCertificates(certs.path(), "localhost", &error))
      << "openssl (installed by .ci/install-deps.sh): " << error;
  HttpsGitServer server(remotes.path(), certs.Join("server.pem"), certs.Join("server.key"));
  ASSERT_TRUE(server.Start()) << "cannot start the https test server";
  std::string url = "https://localhost:" + std::to_string(server.port()) + "/site.git";
  std::vector<std::string> watch = {CairnBinary(),
                                    "-f",
                                    deploy + "/blueprint.yaml",
                                    "watch",
                                    "--once",
                                    "--auto-approve",
                                    "--remote",
                                    url,
                                    "--status-file",
                                    remotes.Join("status.json")};

  // The system's CAs do not vouch for the test CA's certificate.
  CommandResult untrusted = RunCommand(watch, remotes.path(), GitEnv());
  EXPECT_EQ(untrusted.exit_code, 1) << untrusted.out;
  EXPECT_TRUE(Has(untrusted.out, "fetch-failed")) << untrusted.out;
  EXPECT_TRUE(Has(untrusted.out, "certificate")) << untrusted.out;

  watch.insert(watch.end(), {"--ca-file", certs.Join("ca.pem")});
  CommandResult trusted = RunCommand(watch, remotes.path(), GitEnv());
  ASSERT_EQ(trusted.exit_code, 0) << trusted.out << trusted.err;
  EXPECT_TRUE(Has(trusted.out, commit.substr(0, 12) + " applied")) << trusted.out;
  EXPECT_TRUE(Has(ReadFile(deploy + "/.cairn/state.json"), "over https"));
}

}  // namespace
}  // namespace cairn::testing
