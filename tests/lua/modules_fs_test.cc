#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lua/modules_harness.h"
#include "tests/support/test_support.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class FsModuleTest : public ::testing::Test {
 protected:
  FsModuleTest() { h_.ctx().fs_root = tmp_.Join("out"); }
  std::string Out(const std::string& rel) { return tmp_.Join("out/" + rel); }

  cairn::testing::TempDir tmp_;
  testing::ModuleHarness h_;
};

TEST_F(FsModuleTest, WriteCreatesFoldersAndReadGivesContentBack) {
  EXPECT_EQ(h_.Eval(R"(return fs.write("etc/motd", "hello\n"))"), "true");
  EXPECT_EQ(cairn::testing::ReadFile(Out("etc/motd")), "hello\n");
  EXPECT_EQ(h_.Eval(R"(return fs.read("etc/motd"))"), "hello\n");
  EXPECT_EQ(h_.Eval(R"(return fs.read("etc/missing"))"), "nil");
  EXPECT_EQ(h_.Eval(R"(return fs.read("missing/dir/file"))"), "nil");
}

TEST_F(FsModuleTest, WriteAppliesModeAndStatReportsIt) {
  EXPECT_EQ(h_.Eval(R"(fs.write("key", "secret", "0600")
    local st = fs.stat("key")
    return st.type .. " " .. st.size .. " " .. st.mode .. " " .. math.type(st.mtime))"),
            "file 6 0600 integer");
  struct stat st;
  ASSERT_EQ(stat(Out("key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(h_.Eval(R"(return fs.stat("nothing"))"), "nil");
  EXPECT_EQ(h_.Eval(R"(return fs.stat(".").type)"), "directory");
}

TEST_F(FsModuleTest, WriteReplacesTheFileAtomically) {
  ASSERT_EQ(h_.Eval(R"(return fs.write("f", "old"))"), "true");
  // A hard link keeps the old inode: an atomic rename leaves it untouched, an in-place
  // rewrite would change it.
  ASSERT_EQ(link(Out("f").c_str(), tmp_.Join("old-link").c_str()), 0);
  ASSERT_EQ(h_.Eval(R"(return fs.write("f", "new content"))"), "true");
  EXPECT_EQ(cairn::testing::ReadFile(Out("f")), "new content");
  EXPECT_EQ(cairn::testing::ReadFile(tmp_.Join("old-link")), "old");
  EXPECT_EQ(h_.Eval(R"(return table.concat(fs.list("."), ","))"), "f")
      << "no temporary file may be left behind";
}

TEST_F(FsModuleTest, MkdirListRemoveAndChmod) {
  EXPECT_EQ(h_.Eval(R"(
    fs.mkdir("d/sub", "0750")
    fs.write("d/b.txt", "b")
    fs.write("d/a.txt", "a")
    return table.concat(fs.list("d"), ",") .. " " .. fs.stat("d/sub").mode)"),
            "a.txt,b.txt,sub 0750");
  EXPECT_EQ(h_.Eval(R"(return fs.list("nothing"))"), "nil");
  EXPECT_EQ(h_.Eval(R"(return fs.remove("d/a.txt"))"), "true");
  EXPECT_EQ(h_.Eval(R"(return fs.remove("d/a.txt"))"), "false");
  EXPECT_THAT(h_.Eval(R"(return fs.remove("d"))"), HasSubstr("fs.remove: folder 'd' is not empty"));
  EXPECT_EQ(h_.Eval(R"(fs.chmod("d/b.txt", "0640") return fs.stat("d/b.txt").mode)"), "0640");
  EXPECT_THAT(h_.Eval(R"(return fs.chmod("d/b.txt", "rw-"))"),
              HasSubstr("mode 'rw-' is not an octal permission such as \"0644\""));
}

TEST_F(FsModuleTest, EscapesAreRefusedWithThePluginLine) {
  EXPECT_THAT(h_.Eval(R"(return fs.read("../secret"))"),
              StartsWith("error: test.lua:1: fs.read: path '../secret' must not contain '..'"));
  EXPECT_THAT(h_.Eval(R"(return fs.write("a/../../x", "x"))"), HasSubstr("must not contain '..'"));
  EXPECT_THAT(h_.Eval(R"(return fs.read("/etc/passwd"))"),
              HasSubstr("absolute path '/etc/passwd' is not allowed"));
  EXPECT_FALSE(cairn::testing::FileExists(tmp_.Join("x")));
}

TEST_F(FsModuleTest, SymlinksLeadingOutsideAreRefused) {
  cairn::testing::WriteFile(tmp_.Join("outside/secret"), "s3cret");
  ASSERT_EQ(h_.Eval(R"(return fs.mkdir("inner"))"), "true");
  ASSERT_EQ(symlink(tmp_.Join("outside").c_str(), Out("escape").c_str()), 0);
  ASSERT_EQ(symlink(tmp_.Join("outside/secret").c_str(), Out("secret-link").c_str()), 0);
  ASSERT_EQ(symlink(tmp_.Join("outside/new").c_str(), Out("dangling").c_str()), 0);
  ASSERT_EQ(symlink("inner", Out("inner-link").c_str()), 0);

  EXPECT_THAT(h_.Eval(R"(return fs.read("escape/secret"))"),
              HasSubstr("leads outside the output folder"));
  EXPECT_THAT(h_.Eval(R"(return fs.read("secret-link"))"),
              HasSubstr("leads outside the output folder"));
  EXPECT_THAT(h_.Eval(R"(return fs.write("escape/new", "x"))"),
              HasSubstr("leads outside the output folder"));
  EXPECT_THAT(h_.Eval(R"(return fs.write("dangling", "x"))"),
              HasSubstr("symlink that points nowhere"));
  EXPECT_FALSE(cairn::testing::FileExists(tmp_.Join("outside/new")));
  // A symlink that stays inside is fine.
  EXPECT_EQ(h_.Eval(R"(fs.write("inner-link/f", "ok") return fs.read("inner/f"))"), "ok");
}

TEST_F(FsModuleTest, WithoutAnOutputFolderEveryCallFails) {
  h_.ctx().fs_root.clear();
  EXPECT_THAT(h_.Eval(R"(return fs.read("x"))"),
              HasSubstr("fs.read: this plugin has no output folder"));
}

}  // namespace
}  // namespace cairn::lua
