#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/lua/modules_harness.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;

class Base64ModuleTest : public ::testing::Test {
 protected:
  testing::ModuleHarness h_;
};

TEST_F(Base64ModuleTest, Rfc4648Vectors) {
  EXPECT_EQ(h_.Eval(R"(return base64.encode(""))"), "");
  EXPECT_EQ(h_.Eval(R"(return base64.encode("f"))"), "Zg==");
  EXPECT_EQ(h_.Eval(R"(return base64.encode("fo"))"), "Zm8=");
  EXPECT_EQ(h_.Eval(R"(return base64.encode("foobar"))"), "Zm9vYmFy");
  EXPECT_EQ(h_.Eval(R"(return base64.decode("Zm9vYg=="))"), "foob");
}

TEST_F(Base64ModuleTest, UrlSafeAlphabetWithoutPadding) {
  EXPECT_EQ(h_.Eval(R"(return base64.url_encode("\251\255\254"))"), "-__-");
  EXPECT_EQ(h_.Eval(R"(return base64.encode("\251\255\254"))"), "+//+");
  EXPECT_EQ(h_.Eval(R"(return base64.url_encode("fo"))"), "Zm8");
  EXPECT_EQ(h_.Eval(R"(return base64.url_decode("Zm8") .. base64.url_decode("Zm8="))"), "fofo");
}

TEST_F(Base64ModuleTest, BinaryRoundTrip) {
  EXPECT_EQ(h_.Eval(R"(
    local s = "" for i = 0, 255 do s = s .. string.char(i) end
    return base64.decode(base64.encode(s)) == s and base64.url_decode(base64.url_encode(s)) == s)"),
            "true");
}

TEST_F(Base64ModuleTest, DecodeSkipsLineBreaks) {
  EXPECT_EQ(h_.Eval(R"(return base64.decode("Zm9v\nYmFy\n"))"), "foobar");
}

TEST_F(Base64ModuleTest, DecodeErrorsRaiseAndSayWhere) {
  EXPECT_THAT(h_.Eval(R"(return base64.decode("Zm9v!"))"),
              HasSubstr("test.lua:1: base64.decode: invalid character '!' at byte 5"));
  EXPECT_THAT(h_.Eval(R"(return base64.decode("Zm9vY"))"), HasSubstr("truncated input"));
  EXPECT_THAT(h_.Eval(R"(return base64.decode("Zg=a"))"), HasSubstr("data after padding"));
  EXPECT_THAT(h_.Eval(R"(return base64.decode("Zh=="))"), HasSubstr("non-canonical"));
  EXPECT_THAT(h_.Eval(R"(return base64.decode("-_"))"), HasSubstr("invalid character '-'"));
  EXPECT_THAT(h_.Eval(R"(return base64.decode(42))"),
              HasSubstr("bad argument #1 to 'decode' (string expected, got number)"));
}

}  // namespace
}  // namespace cairn::lua
