// --require-signed with real signed commits: ssh keys made with ssh-keygen (an allowed_signers
// file) and a gpg key made with gpg (a keyring for gpgv); unsigned commits and unknown signers
// are refused, by apply and by watch.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "engine/git/verify.h"
#include "tests/git/git_fixture.h"

namespace cairn::testing {
namespace {

class SignatureTest : public GitFixture {
 protected:
  void SetUp() override {
    GitFixture::SetUp();
    Init(dir_.path());
    WriteFile(dir_.Join(".gitignore"), ".cairn/\n");
    UseMemoPlugin("1.0.0");
    WriteFile(dir_.Join("blueprint.yaml"),
              "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: one\n");
    MakeSshKey("ada");
    MakeSshKey("eve");
    // Only ada may deploy.
    allowed_ = keys_.Join("allowed_signers");
    WriteFile(allowed_, "ada@example.org " + PublicKey("ada") + "\n");
  }

  void TearDown() override {
    if (!gnupg_.empty()) RunCommand({"gpgconf", "--kill", "gpg-agent"}, "", GitEnv());
  }

  std::vector<std::string> GitEnv() const override {
    std::vector<std::string> env = GitFixture::GitEnv();
    if (!gnupg_.empty()) env.push_back("GNUPGHOME=" + gnupg_);
    return env;
  }

  void MakeSshKey(const std::string& name) {
    CommandResult r = RunCommand(
        {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", keys_.Join(name)});
    ASSERT_EQ(r.exit_code, 0) << "ssh-keygen (openssh-client, installed by .ci/install-deps.sh): "
                              << r.err;
  }

  // "ssh-ed25519 AAAA..." of a key made by MakeSshKey.
  std::string PublicKey(const std::string& name) {
    std::string pub = ReadFile(keys_.Join(name + ".pub"));
    return pub.substr(0, pub.find(' ', pub.find(' ') + 1));
  }

  // Commits everything, signed with the ssh key `name` ("" : unsigned).
  std::string CommitSsh(const std::string& name, const std::string& message) {
    Git(dir_.path(), {"add", "-A"});
    if (name.empty()) {
      Git(dir_.path(), {"commit", "-q", "-m", message});
    } else {
      Git(dir_.path(), {"-c", "gpg.format=ssh", "-c", "user.signingkey=" + keys_.Join(name),
                        "commit", "-q", "-S", "-m", message});
    }
    return Git(dir_.path(), {"rev-parse", "HEAD"});
  }

  std::string Verify(const std::string& commit, git::SignerKeys keys, bool* ok) {
    Result<std::unique_ptr<git::Repo>> repo = git::Repo::Discover(dir_.path());
    EXPECT_TRUE(repo.ok());
    Result<std::string> r = git::VerifyCommit(**repo, commit, keys);
    *ok = r.ok();
    return r.ok() ? *r : r.status().message();
  }

  TempDir keys_;
  std::string allowed_;
  std::string gnupg_;
};

TEST_F(SignatureTest, SshSignaturesAreCheckedAgainstTheAllowedSigners) {
  bool ok = false;
  std::string signed_by_ada = CommitSsh("ada", "by ada");
  EXPECT_EQ(Verify(signed_by_ada, {allowed_, ""}, &ok), "ada@example.org");
  EXPECT_TRUE(ok);

  Edit("text: one", "text: two");
  std::string by_eve = CommitSsh("eve", "by eve");
  std::string why = Verify(by_eve, {allowed_, ""}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(Has(why, "signed by a key that is not in " + allowed_)) << why;

  Edit("text: two", "text: three");
  std::string unsigned_commit = CommitSsh("", "unsigned");
  why = Verify(unsigned_commit, {allowed_, ""}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(Has(why, "is not signed")) << why;

  why = Verify(signed_by_ada, {"", ""}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(Has(why, "no allowed signers")) << why;
}

TEST_F(SignatureTest, ApplyWithRequireSignedRefusesUnsignedAndUnknownSigners) {
  std::vector<std::string> apply = {"apply", "--auto-approve", "--require-signed",
                                    "--allowed-signers", allowed_};
  CommitSsh("", "unsigned");
  CommandResult r = CairnGit(apply);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "is not signed, and --require-signed is set")) << r.err;
  EXPECT_FALSE(FileExists(dir_.Join(".cairn/state.json")));

  Edit("text: one", "text: eve");
  CommitSsh("eve", "by eve");
  r = CairnGit(apply);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "not in " + allowed_)) << r.err;

  Edit("text: eve", "text: ada");
  CommitSsh("ada", "by ada");
  r = CairnGit(apply);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Uncommitted changes are not signed by anyone: refused even with --allow-dirty.
  Edit("text: ada", "text: local");
  apply.push_back("--allow-dirty");
  r = CairnGit(apply);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(Has(r.err, "uncommitted changes")) << r.err;
}

TEST_F(SignatureTest, WatchRefusesAnUnknownSigner) {
  CommitSsh("eve", "by eve");
  TempDir remotes;
  std::string bare = remotes.Join("site.git");
  Git(remotes.path(), {"clone", "-q", "--bare", dir_.path(), bare});
  std::string deploy = remotes.Join("deploy");
  Git(remotes.path(), {"clone", "-q", "file://" + bare, deploy});
  CommandResult r = RunCommand(
      {CairnBinary(), "-f", deploy + "/blueprint.yaml", "watch", "--once", "--auto-approve",
       "--require-signed", "--allowed-signers", allowed_, "--status-file", remotes.Join("s.json")},
      remotes.path(), GitEnv());
  EXPECT_EQ(r.exit_code, 1) << r.out;
  std::string status = ReadFile(remotes.Join("s.json"));
  EXPECT_TRUE(Has(status, "\"decision\": \"refused\"")) << status;
  EXPECT_TRUE(Has(status, "not in " + allowed_)) << status;
  EXPECT_FALSE(FileExists(deploy + "/.cairn/state.json"));
}

TEST_F(SignatureTest, GpgSignaturesAreCheckedWithAKeyring) {
  gnupg_ = keys_.Join("gnupg");
  mkdir(gnupg_.c_str(), 0700);
  CommandResult made =
      RunCommand({"gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key",
                  "Bob <bob@example.org>", "ed25519", "sign", "never"},
                 "", GitEnv());
  ASSERT_EQ(made.exit_code, 0) << "gpg (installed by .ci/install-deps.sh): " << made.err;
  CommandResult exported = RunCommand(
      {"gpg", "--batch", "--output", keys_.Join("bob.gpg"), "--export", "bob@example.org"}, "",
      GitEnv());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;

  Git(dir_.path(), {"add", "-A"});
  Git(dir_.path(), {"-c", "gpg.format=openpgp", "-c", "user.signingkey=bob@example.org", "commit",
                    "-q", "-S", "-m", "by bob"});
  std::string by_bob = Git(dir_.path(), {"rev-parse", "HEAD"});
  bool ok = false;
  EXPECT_EQ(Verify(by_bob, {"", keys_.Join("bob.gpg")}, &ok), "Bob <bob@example.org>");
  EXPECT_TRUE(ok);
  // The ssh allowed signers do not vouch for a gpg signature.
  std::string why = Verify(by_bob, {allowed_, ""}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(Has(why, "no gpg keyring")) << why;
  // A keyring without bob's key refuses it.
  WriteFile(keys_.Join("empty.gpg"), "");
  why = Verify(by_bob, {"", keys_.Join("empty.gpg")}, &ok);
  EXPECT_FALSE(ok);
  EXPECT_TRUE(Has(why, "not signed by a key in the gpg keyring")) << why;
}

}  // namespace
}  // namespace cairn::testing
