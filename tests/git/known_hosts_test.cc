// Host-key checks of ssh remotes against known_hosts files as OpenSSH writes them: plain and
// hashed (ssh-keygen -H) names, ports, patterns, @revoked; and the endpoints of ssh URLs.
#include "engine/git/known_hosts.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "tests/support/test_support.h"

namespace cairn::git {
namespace {

using testing::CommandResult;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
using testing::WriteFile;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class KnownHostsTest : public ::testing::Test {
 protected:
  // An ed25519 key made by ssh-keygen: its .pub line's "type base64" and the decoded blob.
  struct Key {
    std::string pub;
    std::string blob;
  };
  Key MakeKey(const std::string& name) {
    std::string path = dir_.Join(name);
    CommandResult r =
        RunCommand({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string line = ReadFile(path + ".pub");
    Key k;
    k.pub = line.substr(0, line.rfind(' '));
    std::string b64 = k.pub.substr(k.pub.find(' ') + 1);
    k.blob.resize(b64.size());
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(k.blob.data()),
                            reinterpret_cast<const unsigned char*>(b64.data()),
                            static_cast<int>(b64.size()));
    size_t pad = b64.size() - b64.find_last_not_of('=') - 1;
    k.blob.resize(static_cast<size_t>(n) - pad);
    return k;
  }

  std::string Hosts(const std::string& text) {
    std::string path = dir_.Join("known_hosts");
    WriteFile(path, text);
    return path;
  }

  TempDir dir_;
};

TEST_F(KnownHostsTest, AcceptsOnlyTheRecordedKeyForTheHostAndPort) {
  Key key = MakeKey("host"), other = MakeKey("other");
  std::string file = Hosts("# comment\n\n[git.example]:2222 " + key.pub + "\n");
  EXPECT_TRUE(CheckHostKey(file, {"git.example", 2222}, key.blob).ok());
  Status changed = CheckHostKey(file, {"git.example", 2222}, other.blob);
  EXPECT_TRUE(Has(changed.message(), "does not match")) << changed.message();
  // The same host on another port is another entry.
  Status port22 = CheckHostKey(file, {"git.example", 22}, key.blob);
  EXPECT_TRUE(Has(port22.message(), "git.example (ssh-ed25519 SHA256:")) << port22.message();
  EXPECT_TRUE(Has(port22.message(), "is not in the known hosts file")) << port22.message();
  EXPECT_TRUE(Has(port22.hint(), "ssh-keyscan -p 22 git.example >> " + file)) << port22.hint();
}

TEST_F(KnownHostsTest, UnderstandsHashedNamesPatternsAndRevokedKeys) {
  Key key = MakeKey("host"), old = MakeKey("old");
  std::string file = Hosts("[127.0.0.1]:2222 " + key.pub + "\ngit.example " + key.pub + "\n");
  CommandResult hashed = RunCommand({"ssh-keygen", "-q", "-H", "-f", file});
  ASSERT_EQ(hashed.exit_code, 0) << hashed.err;
  ASSERT_FALSE(Has(ReadFile(file), "127.0.0.1")) << ReadFile(file);
  EXPECT_TRUE(CheckHostKey(file, {"127.0.0.1", 2222}, key.blob).ok());
  EXPECT_TRUE(CheckHostKey(file, {"git.example", 22}, key.blob).ok());
  EXPECT_FALSE(CheckHostKey(file, {"127.0.0.1", 2223}, key.blob).ok());

  file = Hosts("*.example,!bad.example " + key.pub + "\n");
  EXPECT_TRUE(CheckHostKey(file, {"git.example", 22}, key.blob).ok());
  EXPECT_FALSE(CheckHostKey(file, {"bad.example", 22}, key.blob).ok());
  EXPECT_FALSE(CheckHostKey(file, {"git.example.org", 22}, key.blob).ok());

  // A revoked key is refused even where another line lists it.
  file = Hosts("git.example " + old.pub + "\n@revoked * " + old.pub + "\n");
  Status revoked = CheckHostKey(file, {"git.example", 22}, old.blob);
  EXPECT_TRUE(Has(revoked.message(), "revoked")) << revoked.message();
}

TEST_F(KnownHostsTest, AMissingFileIsRefusedWithAHint) {
  Key key = MakeKey("host");
  Status st = CheckHostKey(dir_.Join("none"), {"git.example", 22}, key.blob);
  EXPECT_TRUE(Has(st.message(), "cannot read the known hosts file")) << st.message();
  EXPECT_TRUE(Has(st.hint(), "--known-hosts")) << st.hint();
}

TEST(SshEndpointTest, ReadsHostAndPortOfSshUrls) {
  SshEndpoint e;
  ASSERT_TRUE(ParseSshEndpoint("ssh://deploy@git.example:2222/srv/site.git", &e));
  EXPECT_EQ(e.host, "git.example");
  EXPECT_EQ(e.port, 2222);
  ASSERT_TRUE(ParseSshEndpoint("ssh://git.example/site.git", &e));
  EXPECT_EQ(KnownHostsName(e), "git.example");
  ASSERT_TRUE(ParseSshEndpoint("git@git.example:site.git", &e));
  EXPECT_EQ(e.host, "git.example");
  EXPECT_EQ(e.port, 22);
  ASSERT_TRUE(ParseSshEndpoint("ssh://u@[::1]:2200/x.git", &e));
  EXPECT_EQ(KnownHostsName(e), "[::1]:2200");
  EXPECT_FALSE(ParseSshEndpoint("https://git.example/site.git", &e));
  EXPECT_FALSE(ParseSshEndpoint("/srv/git/site.git", &e));
  EXPECT_FALSE(ParseSshEndpoint("file:///srv/git/site.git", &e));
}

}  // namespace
}  // namespace cairn::git
