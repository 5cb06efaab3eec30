// End-to-end: a second cairn run against locked state refuses to proceed and names the holder.
#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/state/local_backend.h"
#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

TEST(CliLockTest, ApplyAgainstLockedStateNamesTheHolderAndChangesNothing) {
  TempDir dir;
  WriteFile(dir.Join("blueprint.yaml"),
            "resources:\n  local.file.a:\n    path: a.txt\n    content: hi\n");
  state::LocalBackend holder(dir.Join(".cairn"));
  Result<state::LockInfo> lock = holder.Lock("apply");
  ASSERT_TRUE(lock.ok()) << lock.status().message();

  CommandResult r =
      RunCommand({CairnBinary(), "apply", "--auto-approve"}, dir.path(), {"NO_COLOR=1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("state is locked by"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pid " + std::to_string(getpid())), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("force-unlock " + lock->id), std::string::npos) << r.err;
  EXPECT_FALSE(FileExists(dir.Join("out/a.txt")));

  ASSERT_TRUE(holder.Unlock(lock->id).ok());
  CommandResult after =
      RunCommand({CairnBinary(), "apply", "--auto-approve"}, dir.path(), {"NO_COLOR=1"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
}

}  // namespace
}  // namespace cairn::testing
