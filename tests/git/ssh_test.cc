// End-to-end: `cairn watch` following a branch over ssh, served by a real OpenSSH sshd that the
// test starts on 127.0.0.1 with its own host key and authorized key: a commit fetched and applied,
// the host key checked against --known-hosts (unknown and changed keys refused), and a client key
// the server does not accept refused with a clear error.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/git/watch_fixture.h"

namespace cairn::testing {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";

class SshWatchTest : public WatchFixture {
 protected:
  void SetUp() override {
    // sshd switches to the logged-in user, which only root may do.
    if (geteuid() != 0) GTEST_SKIP() << "the ssh tests start sshd, which must run as root";
    ASSERT_TRUE(FileExists(kSshd))
        << "sshd is missing (" << kSshd << "): install openssh-server (.ci/install-deps.sh does)";
    WatchFixture::SetUp();
    if (HasFatalFailure()) return;
    mkdir("/run/sshd", 0755);  // sshd's privilege separation folder
    const passwd* pw = getpwuid(geteuid());
    ASSERT_NE(pw, nullptr);
    user_ = pw->pw_name;
    host_key_ = Keygen("host_key");
    client_key_ = Keygen("client_key");
    WriteFile(ssh_.Join("authorized_keys"), ReadFile(client_key_ + ".pub"));
    StartSshd();
    url_ = "ssh://" + user_ + "@127.0.0.1:" + std::to_string(port_) + bare_;
  }

  // Makes an ed25519 key pair without passphrase in the test's ssh folder; returns its path.
  std::string Keygen(const std::string& name) {
    std::string path = ssh_.Join(name);
    CommandResult r =
        RunCommand({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path});
    EXPECT_EQ(r.exit_code, 0) << "ssh-keygen: " << r.err;
    return path;
  }

  void StartSshd() {
    port_ = FreeLocalPort();
    std::string config = ssh_.Join("sshd_config");
    WriteFile(config, "ListenAddress 127.0.0.1:" + std::to_string(port_) +
                          "\n"
                          "HostKey " +
                          host_key_ +
                          "\n"
                          "AuthorizedKeysFile " +
                          ssh_.Join("authorized_keys") +
                          "\n"
                          "PidFile " +
                          ssh_.Join("sshd.pid") +
                          "\n"
                          "PubkeyAuthentication yes\n"
                          "PasswordAuthentication no\n"
                          "KbdInteractiveAuthentication no\n"
                          "PermitRootLogin prohibit-password\n"
                          "StrictModes no\n"
                          "UsePAM no\n"
                          "UseDNS no\n"
                          "LogLevel VERBOSE\n");
    ASSERT_TRUE(sshd_.Start({kSshd, "-D", "-e", "-f", config}, ssh_.path(), {}, ssh_.Join("sshd")));
    ASSERT_TRUE(WaitFor([&] { return PortOpen(port_); }, kPatience))
        << "sshd did not listen on 127.0.0.1:" << port_ << ": " << sshd_.err();
  }

  // A known_hosts file that records `key_pub` (an OpenSSH .pub file) for the test's sshd.
  std::string KnownHosts(const std::string& name, const std::string& key_pub) {
    std::string pub = ReadFile(key_pub);
    std::string type = pub.substr(0, pub.find(' '));
    std::string rest = pub.substr(pub.find(' ') + 1);
    std::string blob = rest.substr(0, rest.find(' '));
    std::string path = ssh_.Join(name);
    WriteFile(path, "# test hosts\n[127.0.0.1]:" + std::to_string(port_) + " " + type + " " + blob +
                        "\n");
    return path;
  }

  // `cairn watch --once --auto-approve` of the ssh remote with extra flags.
  CommandResult WatchOnce(const std::vector<std::string>& flags) {
    std::vector<std::string> args = WatchArgs(url_);
    args.insert(args.end(), {"--once", "--auto-approve"});
    args.insert(args.end(), flags.begin(), flags.end());
    return RunCommand(args, remotes_.path(), GitEnv());
  }

  std::string Reason() { return Status().Find("reason")->AsString(); }

  TempDir ssh_;
  BackgroundProcess sshd_;
  std::string user_, host_key_, client_key_, url_;
};

TEST_F(SshWatchTest, AppliesCommitsFetchedOverSshFromAKnownHost) {
  std::string known = KnownHosts("known_hosts", host_key_ + ".pub");
  CommandResult first = WatchOnce({"--ssh-key", client_key_, "--known-hosts", known});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err << sshd_.err();
  EXPECT_EQ(Status().Find("decision")->AsString(), "applied");
  EXPECT_EQ(Status().Find("commit")->AsString(), c1_);
  EXPECT_EQ(Notes(), (std::map<std::string, std::string>{{"memo.note.a", "one"}}));

  // Left running, watch fetches over ssh again and again and applies each new commit.
  BackgroundProcess watch;
  std::vector<std::string> args = WatchArgs(url_);
  args.insert(args.end(), {"--auto-approve", "--ssh-key", client_key_, "--known-hosts", known});
  ASSERT_TRUE(watch.Start(args, remotes_.path(), GitEnv(), remotes_.Join("watch")));
  std::string c2 = Push({{"a", "one"}, {"b", "bee"}}, "note b");
  ASSERT_TRUE(WaitForDecision(c2, "applied")) << watch.out() << watch.err() << sshd_.err();
  std::string c3 = Push({{"a", "one"}, {"b", "buzz"}}, "change note b");
  ASSERT_TRUE(WaitForDecision(c3, "applied")) << watch.out() << watch.err() << sshd_.err();
  EXPECT_EQ(Status().Find("live_commit")->AsString(), c3);
  EXPECT_EQ(Notes().at("memo.note.b"), "buzz");
  EXPECT_EQ(watch.Stop(), 0) << watch.err();
  // The server saw the client's key: the fetch really went over ssh.
  EXPECT_TRUE(Has(sshd_.err(), "Accepted publickey for " + user_)) << sshd_.err();
}

TEST_F(SshWatchTest, RefusesAHostWhoseKeyIsNotTheRecordedOne) {
  std::string impostor = Keygen("other_host_key");
  std::string known = KnownHosts("known_hosts", impostor + ".pub");
  CommandResult r = WatchOnce({"--ssh-key", client_key_, "--known-hosts", known});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Status().Find("decision")->AsString(), "fetch-failed");
  EXPECT_TRUE(Has(Reason(), "does not match the one in " + known)) << Reason();
  EXPECT_TRUE(Has(Reason(), "ssh-ed25519 SHA256:")) << Reason();
  EXPECT_TRUE(Notes().empty());
  EXPECT_FALSE(Has(sshd_.err(), "Accepted publickey")) << sshd_.err();
}

TEST_F(SshWatchTest, RefusesAHostThatIsNotKnown) {
  // A known_hosts file for other hosts only.
  std::string known = ssh_.Join("known_hosts");
  std::string pub = ReadFile(host_key_ + ".pub");
  WriteFile(known, "git.example.org " + pub.substr(0, pub.rfind(' ')) + "\n");
  CommandResult r = WatchOnce({"--ssh-key", client_key_, "--known-hosts", known});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Status().Find("decision")->AsString(), "fetch-failed");
  EXPECT_TRUE(Has(Reason(), "[127.0.0.1]:" + std::to_string(port_))) << Reason();
  EXPECT_TRUE(Has(Reason(), "is not in the known hosts file")) << Reason();
  EXPECT_TRUE(Has(Reason(), "ssh-keyscan -p " + std::to_string(port_) + " 127.0.0.1")) << Reason();
  EXPECT_TRUE(Notes().empty());

  // Without --known-hosts, ~/.ssh/known_hosts is used; the test's HOME has none.
  CommandResult dflt = WatchOnce({"--ssh-key", client_key_});
  EXPECT_EQ(dflt.exit_code, 1) << dflt.out << dflt.err;
  EXPECT_TRUE(
      Has(Reason(), "cannot read the known hosts file " + home_.path() + "/.ssh/known_hosts"))
      << Reason();
  EXPECT_TRUE(Notes().empty());
}

TEST_F(SshWatchTest, RefusesAClientKeyTheServerDoesNotAccept) {
  std::string known = KnownHosts("known_hosts", host_key_ + ".pub");
  std::string stranger = Keygen("stranger_key");
  CommandResult r = WatchOnce({"--ssh-key", stranger, "--known-hosts", known});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(Status().Find("decision")->AsString(), "fetch-failed");
  EXPECT_TRUE(Has(Reason(), "refused the key " + stranger)) << Reason();
  EXPECT_TRUE(Notes().empty());
}

}  // namespace
}  // namespace cairn::testing
