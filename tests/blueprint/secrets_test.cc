#include <gtest/gtest.h>
#include <stdlib.h>

#include "engine/blueprint/blueprint.h"
#include "tests/blueprint/blueprint_test_util.h"
#include "tests/support/test_support.h"

namespace cairn::blueprint {
namespace {

/// Sets an environment variable for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

TEST(SecretsTest, EnvReferenceResolvesToASensitiveValue) {
  ScopedEnv env("CAIRN_TEST_DB_PASSWORD", "s3cret");
  Blueprint bp;
  testing::AssertLoad(&bp, "secrets:\n  db: env:CAIRN_TEST_DB_PASSWORD\n");
  Diagnostics diags;
  Value secrets = ResolveSecrets(bp, &diags);
  EXPECT_TRUE(diags.empty()) << RenderDiagnostics(diags, false);
  const Value* db = secrets.Find("db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->AsString(), "s3cret");
  EXPECT_TRUE(db->sensitive);
  EXPECT_EQ(db->loc.line, 2u);
  EXPECT_EQ(secrets.ToString(), "{db = (sensitive)}");
}

TEST(SecretsTest, FileReferenceIsRelativeToTheBlueprintAndDropsTheLastNewline) {
  cairn::testing::TempDir dir;
  cairn::testing::WriteFile(dir.Join("keys/token"), "tok-123\n");
  cairn::testing::WriteFile(dir.Join("lab.yaml"), "secrets:\n  api: file:keys/token\n");
  Blueprint bp;
  Diagnostics diags;
  ASSERT_TRUE(LoadFile(dir.Join("lab.yaml"), &bp, &diags));
  Value secrets = ResolveSecrets(bp, &diags);
  EXPECT_TRUE(diags.empty()) << RenderDiagnostics(diags, false);
  EXPECT_EQ(secrets.Find("api")->AsString(), "tok-123");
  EXPECT_TRUE(secrets.Find("api")->sensitive);
}

TEST(SecretsTest, AbsoluteFilePathIsUsedAsIs) {
  cairn::testing::TempDir dir;
  cairn::testing::WriteFile(dir.Join("k"), "multi\nline\n");
  Blueprint bp;
  testing::AssertLoad(&bp, "secrets:\n  k: file:" + dir.Join("k") + "\n");
  Diagnostics diags;
  Value secrets = ResolveSecrets(bp, &diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(secrets.Find("k")->AsString(), "multi\nline");
}

TEST(SecretsTest, MissingEnvVarAndFileAreErrorsWithPositions) {
  unsetenv("CAIRN_TEST_NOT_SET");
  Blueprint bp;
  testing::AssertLoad(
      &bp, "secrets:\n  a: env:CAIRN_TEST_NOT_SET\n  b: file:/nonexistent/cairn/key\n", "sec.yaml");
  Diagnostics diags;
  Value secrets = ResolveSecrets(bp, &diags);
  EXPECT_EQ(secrets.size(), 0u);
  EXPECT_EQ(RenderDiagnostics(diags, false),
            "sec.yaml:2:6: error: secrets.a: environment variable 'CAIRN_TEST_NOT_SET' is not set\n"
            " 2 |   a: env:CAIRN_TEST_NOT_SET\n"
            "   |      ^~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: export CAIRN_TEST_NOT_SET=... before running cairn\n\n"
            "sec.yaml:3:6: error: secrets.b: cannot read secret file '/nonexistent/cairn/key': No "
            "such file or directory\n"
            " 3 |   b: file:/nonexistent/cairn/key\n"
            "   |      ^~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: file: paths are relative to the blueprint's directory\n\n");
}

TEST(SecretsTest, LiteralValueIsRefusedAndNotEchoed) {
  Blueprint bp;
  testing::AssertLoad(&bp, "secrets:\n  pw: correct-horse-battery\n");
  Diagnostics diags;
  Value secrets = ResolveSecrets(bp, &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].summary, "secret 'pw' is written literally in the blueprint");
  EXPECT_EQ(diags.items()[0].hint, "store it in an environment variable and write env:NAME");
  EXPECT_EQ(diags.items()[0].summary.find("horse"), std::string::npos);
  EXPECT_EQ(secrets.Find("pw"), nullptr);
}

TEST(SecretsTest, NoSecretsSectionGivesAnEmptyMap) {
  Blueprint bp;
  testing::AssertLoad(&bp, "cluster: {name: x}\n");
  Diagnostics diags;
  Value secrets = ResolveSecrets(bp, &diags);
  EXPECT_TRUE(secrets.is_map());
  EXPECT_EQ(secrets.size(), 0u);
  EXPECT_TRUE(diags.empty());
}

}  // namespace
}  // namespace cairn::blueprint
