// The `local` provider (plugins/local/provider.lua) driven through the real plugin host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "engine/lua/lua_provider.h"
#include "engine/lua/plugin_loader.h"
#include "tests/support/test_support.h"

namespace cairn::lua {
namespace {

using provider::CallContext;
using ::testing::HasSubstr;

class LocalProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PluginInfo info;
    info.name = "local";
    info.dir = cairn::testing::SourceDir() + "/plugins/local";
    info.provider_file = info.dir + "/provider.lua";
    info.display_root = "plugins";
    HostOptions options;
    options.lib_dir = cairn::testing::SourceDir() + "/plugins/lib";
    options.blueprint_dir = tmp_.path();
    auto p = LuaProvider::Load(info, options);
    ASSERT_TRUE(p.ok()) << p.status().message();
    provider_ = std::move(*p);
    Status s = provider_->Configure(Value::EmptyMap());  // output_dir defaults to "out"
    ASSERT_TRUE(s.ok()) << s.message();
  }

  static CallContext Ctx(const std::string& address) {
    CallContext ctx;
    ctx.address = address;
    return ctx;
  }

  static Value File(const std::string& path, const std::string& content,
                    const std::string& mode = "0644") {
    return Value(
        Value::Map{{"path", Value(path)}, {"content", Value(content)}, {"mode", Value(mode)}});
  }

  std::string Out(const std::string& rel) { return tmp_.Join("out/" + rel); }

  Value MustCreate(const std::string& type, const Value& planned) {
    Result<Value> r = provider_->Create(Ctx(type + ".x"), type, planned);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : Value();
  }

  cairn::testing::TempDir tmp_;
  std::unique_ptr<LuaProvider> provider_;
};

TEST_F(LocalProviderTest, CreateWritesTheFileAndReportsHashAndSize) {
  Value state = MustCreate("local.file", File("etc/motd", "hello\n", "0640"));
  EXPECT_EQ(cairn::testing::ReadFile(Out("etc/motd")), "hello\n");
  struct stat st;
  ASSERT_EQ(stat(Out("etc/motd").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(state["id"], Value("etc/motd"));
  EXPECT_EQ(state["mode"], Value("0640"));
  EXPECT_EQ(state["size"], Value(6));
  // sha256("hello\n")
  EXPECT_EQ(state["sha256"],
            Value("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"));
}

TEST_F(LocalProviderTest, PlanKnowsTheHashOfKnownContentAndChecksInput) {
  Result<provider::PlannedChange> p =
      provider_->Plan(Ctx("local.file.a"), "local.file", Value(), File("a", "abc"));
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->planned["sha256"],
            Value("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(p->planned["size"], Value(3));

  Value both = File("a", "abc");
  both["sensitive_content"] = Value("s3cret");
  p = provider_->Plan(Ctx("local.file.a"), "local.file", Value(), both);
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("set content or sensitive_content, not both"));
  EXPECT_THAT(p.status().hint(), HasSubstr("use sensitive_content for secrets"));

  p = provider_->Plan(Ctx("local.file.a"), "local.file", Value(), File("a", "abc", "644"));
  ASSERT_FALSE(p.ok());
  EXPECT_THAT(p.status().message(), HasSubstr("mode \"644\" is not four octal digits"));
}

TEST_F(LocalProviderTest, HandEditShowsAsDriftAndUpdateRestoresIt) {
  Value state = MustCreate("local.file", File("motd", "from the blueprint\n"));
  cairn::testing::WriteFile(Out("motd"), "edited by hand\n");
  Result<std::optional<Value>> read = provider_->Read(Ctx("local.file.motd"), "local.file", state);
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((**read)["content"], Value("edited by hand\n"));
  EXPECT_NE((**read)["sha256"], state["sha256"]);

  Result<Value> updated = provider_->Update(Ctx("local.file.motd"), "local.file", **read,
                                            File("motd", "from the blueprint\n"));
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(cairn::testing::ReadFile(Out("motd")), "from the blueprint\n");
  EXPECT_EQ((*updated)["sha256"], state["sha256"]);
}

TEST_F(LocalProviderTest, SensitiveContentIsWrittenAndReadBackUnderItsOwnName) {
  Value planned = File("key", "", "0600");
  planned["sensitive_content"] = Value("s3cret");
  Value state = MustCreate("local.file", planned);
  EXPECT_EQ(cairn::testing::ReadFile(Out("key")), "s3cret");
  EXPECT_EQ(state["sensitive_content"], Value("s3cret"));
  EXPECT_EQ(state["content"], Value(""));
  Result<std::optional<Value>> read = provider_->Read(Ctx("local.file.key"), "local.file", state);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, state);
}

TEST_F(LocalProviderTest, ReadAllReadsEveryFileAndLeavesOutTheGoneOnes) {
  Value a = MustCreate("local.file", File("a", "1"));
  Value b = MustCreate("local.file", File("b", "2"));
  std::remove(Out("b").c_str());
  Result<std::map<std::string, Value>> all =
      provider_->ReadAll(CallContext(), "local.file", {a, b});
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->size(), 1u);
  EXPECT_EQ(all->count("a"), 1u);
}

TEST_F(LocalProviderTest, DeleteRemovesAndReadThenSaysGone) {
  Value state = MustCreate("local.file", File("gone", "x"));
  ASSERT_TRUE(provider_->Delete(Ctx("local.file.gone"), "local.file", state).ok());
  EXPECT_FALSE(cairn::testing::FileExists(Out("gone")));
  Result<std::optional<Value>> read = provider_->Read(Ctx("local.file.gone"), "local.file", state);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_FALSE(read->has_value());
}

TEST_F(LocalProviderTest, ImportAdoptsAnExistingFile) {
  cairn::testing::WriteFile(Out("existing.conf"), "k = v\n");
  Result<Value> imported = provider_->Import(Ctx("local.file.conf"), "local.file", "existing.conf");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ((*imported)["content"], Value("k = v\n"));
  EXPECT_EQ((*imported)["path"], Value("existing.conf"));

  imported = provider_->Import(Ctx("local.file.conf"), "local.file", "nope.conf");
  ASSERT_FALSE(imported.ok());
  EXPECT_THAT(imported.status().message(), HasSubstr("there is no file 'nope.conf'"));
  EXPECT_THAT(imported.status().hint(), HasSubstr("relative to output_dir"));
}

TEST_F(LocalProviderTest, PathsOutsideTheOutputFolderAreRefused) {
  Result<Value> r = provider_->Create(Ctx("local.file.evil"), "local.file", File("../evil", "x"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("plugins/local/provider.lua:"));
  EXPECT_THAT(r.status().message(), HasSubstr("must not contain '..'"));
  EXPECT_FALSE(cairn::testing::FileExists(tmp_.Join("evil")));
}

TEST_F(LocalProviderTest, DirectoryLifecycleAndNotEmptyFailure) {
  Value dir = Value(Value::Map{{"path", Value("srv/app")}, {"mode", Value("0750")}});
  Value state = MustCreate("local.directory", dir);
  EXPECT_EQ(state["id"], Value("srv/app"));
  EXPECT_EQ(state["mode"], Value("0750"));

  dir["mode"] = Value("0700");
  Result<Value> updated =
      provider_->Update(Ctx("local.directory.app"), "local.directory", state, dir);
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ((*updated)["mode"], Value("0700"));

  cairn::testing::WriteFile(Out("srv/app/data"), "x");
  Status s = provider_->Delete(Ctx("local.directory.app"), "local.directory", *updated);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("folder 'srv/app' is not empty (1 entries)"));
  EXPECT_THAT(s.hint(), HasSubstr("remove the files in it from the blueprint"));

  std::remove(Out("srv/app/data").c_str());
  s = provider_->Delete(Ctx("local.directory.app"), "local.directory", *updated);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_FALSE(cairn::testing::FileExists(Out("srv/app")));
  Result<std::optional<Value>> read =
      provider_->Read(Ctx("local.directory.app"), "local.directory", *updated);
  ASSERT_TRUE(read.ok());
  EXPECT_FALSE(read->has_value());
}

}  // namespace
}  // namespace cairn::lua
