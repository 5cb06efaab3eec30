#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/lua/modules_harness.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class CryptoModuleTest : public ::testing::Test {
 protected:
  testing::ModuleHarness h_;
};

TEST_F(CryptoModuleTest, Sha256KnownAnswers) {
  EXPECT_EQ(h_.Eval(R"(return crypto.sha256("abc"))"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(h_.Eval(R"(return crypto.sha256(""))"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(CryptoModuleTest, HmacSha256Rfc4231Cases) {
  // Test case 1: key = 20 bytes of 0x0b, data = "Hi There".
  EXPECT_EQ(h_.Eval(R"(return crypto.hmac_sha256(string.rep("\x0b", 20), "Hi There"))"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2: key = "Jefe".
  EXPECT_EQ(h_.Eval(R"(return crypto.hmac_sha256("Jefe", "what do ya want for nothing?"))"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_F(CryptoModuleTest, HmacRawGivesThirtyTwoBytes) {
  EXPECT_EQ(h_.Eval(R"(
    local raw = crypto.hmac_sha256("Jefe", "what do ya want for nothing?", { raw = true })
    return #raw .. " " .. string.format("%02x%02x", raw:byte(1, 2)))"),
            "32 5bdc");
}

TEST_F(CryptoModuleTest, RandomBytesAndHexHaveTheAskedLength) {
  EXPECT_EQ(h_.Eval(R"(return #crypto.random_bytes(16) .. " " .. #crypto.random_hex(16))"),
            "16 32");
  EXPECT_THAT(h_.Eval(R"(return crypto.random_hex(8))"), MatchesRegex("[0-9a-f]{16}"));
  EXPECT_EQ(h_.Eval(R"(return crypto.random_hex(16) ~= crypto.random_hex(16))"), "true");
  EXPECT_THAT(h_.Eval(R"(return crypto.random_bytes(-1))"),
              HasSubstr("bad argument #1 to 'random_bytes' (count must be from 0 to"));
}

TEST_F(CryptoModuleTest, X25519PublicMatchesRfc7748) {
  // RFC 7748 section 6.1, Alice's key pair, as base64.
  EXPECT_EQ(h_.Eval(R"(
    local hex = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
    local priv = hex:gsub("..", function(b) return string.char(tonumber(b, 16)) end)
    local pub = base64.decode(crypto.x25519_public(base64.encode(priv)))
    return (pub:gsub(".", function(c) return string.format("%02x", c:byte()) end)))"),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
}

TEST_F(CryptoModuleTest, KeypairIsWireGuardShapedAndConsistent) {
  EXPECT_EQ(h_.Eval(R"(
    local kp = crypto.x25519_keypair()
    local priv = base64.decode(kp.private_key)
    local clamped = priv:byte(1) % 8 == 0 and priv:byte(32) >= 64 and priv:byte(32) < 128
    return #kp.private_key .. " " .. #kp.public_key .. " " .. tostring(clamped) .. " "
        .. tostring(crypto.x25519_public(kp.private_key) == kp.public_key))"),
            "44 44 true true");
}

TEST_F(CryptoModuleTest, X25519PublicRejectsMalformedKeys) {
  EXPECT_THAT(h_.Eval(R"(return crypto.x25519_public("c2hvcnQ="))"),
              HasSubstr("expected a base64 X25519 private key of 32 bytes"));
}

}  // namespace
}  // namespace cairn::lua
