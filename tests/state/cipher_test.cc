// Encryption at rest: envelopes sealed and opened with passphrase (scrypt, PBKDF2) and raw keys.
#include "engine/state/cipher.h"

#include <gtest/gtest.h>

#include "engine/base/json.h"

namespace cairn::state {
namespace {

std::shared_ptr<StateCipher> Make(KeySpec::Kind kind, const std::string& secret,
                                  const std::string& kdf = "scrypt") {
  KeySpec k;
  k.kind = kind;
  k.secret = secret;
  k.kdf = kdf;
  k.origin = "env TEST_KEY";
  Result<std::shared_ptr<StateCipher>> c = StateCipher::Create(k);
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : nullptr;
}

TEST(CipherTest, EachKeyKindRoundTripsAndStoresItsParametersBesideTheCiphertext) {
  const std::string text = "{\"serial\": 1, \"password\": \"hunter2\"}\n";
  struct Case {
    KeySpec::Kind kind;
    std::string secret, kdf, params;
  };
  for (const Case& c : {Case{KeySpec::Kind::kPassphrase, "pass", "scrypt", "\"N\":32768"},
                        Case{KeySpec::Kind::kPassphrase, "pass", "pbkdf2", "\"iterations\":600000"},
                        Case{KeySpec::Kind::kRawKey, std::string(64, 'a'), "", "{}"}}) {
    auto cipher = Make(c.kind, c.secret, c.kdf);
    ASSERT_NE(cipher, nullptr);
    Result<std::string> sealed = cipher->Seal(text);
    ASSERT_TRUE(sealed.ok());
    EXPECT_TRUE(StateCipher::IsSealed(*sealed));
    EXPECT_EQ(sealed->find("hunter2"), std::string::npos);
    EXPECT_NE(sealed->find(c.params), std::string::npos) << *sealed;
    EXPECT_TRUE(ParseJson(*sealed).ok());
    // A second process (another salt) opens it from the stored parameters alone.
    auto reader = Make(c.kind, c.secret, c.kdf == "scrypt" ? "pbkdf2" : "scrypt");
    Result<std::string> opened = reader->Open(*sealed, "the state");
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    EXPECT_EQ(*opened, text);
  }
}

TEST(CipherTest, AWrongKeyOrAlteredDataIsAClearErrorThatNeverPrintsTheKey) {
  auto right = Make(KeySpec::Kind::kPassphrase, "correct horse");
  auto wrong = Make(KeySpec::Kind::kPassphrase, "battery staple");
  std::string sealed = *right->Seal("secret state");
  Result<std::string> bad = wrong->Open(sealed, "the state file x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("cannot decrypt the state file x: wrong key"),
            std::string::npos)
      << bad.status().message();
  EXPECT_NE(bad.status().message().find("env TEST_KEY"), std::string::npos);
  EXPECT_EQ(bad.status().message().find("battery"), std::string::npos);

  std::string altered = sealed;
  size_t at = altered.find("\"ciphertext\":\"") + 14;
  altered[at] = altered[at] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(right->Open(altered, "x").ok());

  auto raw = Make(KeySpec::Kind::kRawKey, std::string(32, 'k'));
  Result<std::string> mismatch = raw->Open(sealed, "x");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("encrypted with a passphrase"), std::string::npos);
}

TEST(CipherTest, PlainTextPassesThroughAndASealedOneNeedsAKey) {
  EXPECT_EQ(*OpenIfSealed(nullptr, "{\"serial\":1}", "x"), "{\"serial\":1}");
  auto c = Make(KeySpec::Kind::kPassphrase, "p");
  EXPECT_EQ(*OpenIfSealed(c.get(), "{\"serial\":1}", "x"), "{\"serial\":1}");
  Result<std::string> none = OpenIfSealed(nullptr, *c->Seal("s"), "the state");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("encrypted and no state key is configured"),
            std::string::npos);
}

TEST(CipherTest, BadKeysAreRefusedUpFront) {
  KeySpec raw;
  raw.kind = KeySpec::Kind::kRawKey;
  raw.secret = "too short";
  raw.origin = "file k";
  Result<std::shared_ptr<StateCipher>> c = StateCipher::Create(raw);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().hint().find("openssl rand -hex 32"), std::string::npos);
  KeySpec empty;
  empty.kind = KeySpec::Kind::kPassphrase;
  EXPECT_FALSE(StateCipher::Create(empty).ok());
  KeySpec odd = empty;
  odd.secret = "x";
  odd.kdf = "md5";
  EXPECT_FALSE(StateCipher::Create(odd).ok());
}

}  // namespace
}  // namespace cairn::state
