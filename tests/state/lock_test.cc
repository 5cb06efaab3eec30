#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/base/json.h"
#include "engine/state/local_backend.h"
#include "tests/support/test_support.h"

namespace cairn::state {
namespace {

using cairn::testing::FileExists;
using cairn::testing::TempDir;
using cairn::testing::WriteFile;

// A pipe used to pass short messages between a test and its forked children.
struct Pipe {
  int fds[2] = {-1, -1};
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    close(fds[0]);
    close(fds[1]);
  }
  void Send(const std::string& msg) const {
    std::string line = msg + "\n";
    ssize_t n = write(fds[1], line.data(), line.size());
    (void)n;
  }
  // Reads one '\n'-terminated line (blocking).
  std::string Receive() const {
    std::string out;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n') out += c;
    return out;
  }
};

TEST(LockTest, SecondLockFailsFastNamingTheHolder) {
  TempDir dir;
  LocalBackend first(dir.path()), second(dir.path());
  Result<LockInfo> held = first.Lock("apply");
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_EQ(held->pid, getpid());
  EXPECT_NE(held->who.find('@'), std::string::npos);
  EXPECT_EQ(held->created.size(), 20u);  // 2026-01-02T03:04:05Z

  Result<LockInfo> denied = second.Lock("plan");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), Status::Code::kLocked);
  const std::string& msg = denied.status().message();
  EXPECT_NE(msg.find("state is locked by " + held->who + " (pid " + std::to_string(getpid()) +
                     ") for 'apply' since " + held->created + "; lock id " + held->id),
            std::string::npos)
      << msg;
  EXPECT_NE(denied.status().hint().find("force-unlock " + held->id), std::string::npos);
  // The same backend cannot take it twice either.
  EXPECT_EQ(first.Lock("apply").status().code(), Status::Code::kLocked);
}

TEST(LockTest, UnlockNeedsTheIdAndFreesTheLock) {
  TempDir dir;
  LocalBackend a(dir.path()), b(dir.path());
  Result<LockInfo> held = a.Lock("apply");
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(FileExists(a.lock_path()));
  EXPECT_EQ(a.Unlock("wrong").code(), Status::Code::kConflict);
  ASSERT_TRUE(a.Unlock(held->id).ok());
  EXPECT_FALSE(FileExists(a.lock_path()));
  Result<LockInfo> again = b.Lock("destroy");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->id, held->id);
  EXPECT_TRUE(b.Unlock(again->id).ok());
}

TEST(LockTest, TwoProcessesRacingExactlyOneGetsTheLock) {
  TempDir dir;
  Pipe go, results, release;
  pid_t kids[2];
  for (pid_t& kid : kids) {
    kid = fork();
    ASSERT_GE(kid, 0);
    if (kid == 0) {
      LocalBackend b(dir.path());
      (void)go.Receive();  // both start together
      Result<LockInfo> r = b.Lock("apply");
      if (r.ok()) {
        results.Send("won " + std::to_string(getpid()));
        (void)release.Receive();  // hold until the loser has reported
        _exit(b.Unlock(r->id).ok() ? 0 : 1);
      }
      results.Send((r.status().code() == Status::Code::kLocked ? "lost " : "error ") +
                   r.status().message());
      _exit(0);
    }
  }
  go.Send("go");
  go.Send("go");
  std::string first = results.Receive(), second = results.Receive();
  release.Send("done");
  for (pid_t kid : kids) {
    int status = 0;
    waitpid(kid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::string won = first.rfind("won ", 0) == 0 ? first : second;
  std::string lost = first.rfind("won ", 0) == 0 ? second : first;
  ASSERT_EQ(won.rfind("won ", 0), 0u) << first << " / " << second;
  ASSERT_EQ(lost.rfind("lost ", 0), 0u) << first << " / " << second;
  std::string winner_pid = won.substr(4);
  EXPECT_NE(lost.find("(pid " + winner_pid + ")"), std::string::npos) << lost;
}

TEST(LockTest, LockOfAKilledProcessIsReleased) {
  TempDir dir;
  Pipe ready;
  pid_t kid = fork();
  ASSERT_GE(kid, 0);
  if (kid == 0) {
    LocalBackend b(dir.path());
    Result<LockInfo> r = b.Lock("apply");
    ready.Send(r.ok() ? "locked" : "failed");
    for (;;) pause();
  }
  ASSERT_EQ(ready.Receive(), "locked");
  LocalBackend b(dir.path());
  Result<LockInfo> denied = b.Lock("apply");
  ASSERT_EQ(denied.status().code(), Status::Code::kLocked);
  EXPECT_NE(denied.status().message().find("(pid " + std::to_string(kid) + ")"), std::string::npos);

  kill(kid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(kid, &status, 0), kid);
  // The kernel dropped the dead process's lock; its record is still on disk and is taken over.
  EXPECT_TRUE(FileExists(b.lock_path()));
  Result<LockInfo> mine = b.Lock("apply");
  ASSERT_TRUE(mine.ok()) << mine.status().message();
  Diagnostics warnings = b.TakeWarnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings.items()[0].summary.find("(pid " + std::to_string(kid) + ")"),
            std::string::npos);
  EXPECT_TRUE(b.Unlock(mine->id).ok());
}

TEST(LockTest, ForceUnlockRemovesARecordWhoseHolderIsGone) {
  TempDir dir;
  LocalBackend b(dir.path());
  // A record with no live holder, as a filesystem without working flock would leave it.
  LockInfo stale;
  stale.id = "0f0e0d0c";
  stale.operation = "apply";
  stale.who = "ops@elsewhere";
  stale.host = "elsewhere";
  stale.pid = 4242;
  stale.created = "2026-01-01T00:00:00Z";
  Value v = Value::EmptyMap();
  v["id"] = stale.id;
  v["operation"] = stale.operation;
  v["who"] = stale.who;
  v["host"] = stale.host;
  v["pid"] = stale.pid;
  v["created"] = stale.created;
  WriteFile(b.lock_path(), DumpJson(v));

  Status wrong = b.ForceUnlock("nope");
  EXPECT_EQ(wrong.code(), Status::Code::kConflict);
  EXPECT_NE(wrong.message().find("ops@elsewhere"), std::string::npos);
  EXPECT_TRUE(FileExists(b.lock_path()));
  ASSERT_TRUE(b.ForceUnlock(stale.id).ok());
  EXPECT_FALSE(FileExists(b.lock_path()));
  EXPECT_EQ(b.ForceUnlock(stale.id).code(), Status::Code::kNotFound);
}

TEST(LockTest, ForceUnlockIsRefusedWhileTheHolderRuns) {
  TempDir dir;
  LocalBackend holder(dir.path()), other(dir.path());
  Result<LockInfo> held = holder.Lock("apply");
  ASSERT_TRUE(held.ok());
  Status s = other.ForceUnlock(held->id);
  EXPECT_EQ(s.code(), Status::Code::kLocked);
  EXPECT_NE(s.message().find("still running"), std::string::npos);
  EXPECT_EQ(other.Lock("apply").status().code(), Status::Code::kLocked);
  // The holder itself may force its own lock away.
  EXPECT_TRUE(holder.ForceUnlock(held->id).ok());
  EXPECT_TRUE(other.Lock("apply").ok());
}

TEST(LockTest, WaitingLockGivesUpOrGetsTheLockWhenFreed) {
  TempDir dir;
  LocalBackend holder(dir.path()), waiter(dir.path());
  Result<LockInfo> held = holder.Lock("apply");
  ASSERT_TRUE(held.ok());
  Result<LockInfo> gave_up = waiter.Lock("plan", std::chrono::milliseconds(30));
  EXPECT_EQ(gave_up.status().code(), Status::Code::kLocked);
  EXPECT_NE(gave_up.status().message().find("gave up after waiting 30 ms"), std::string::npos);

  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(holder.Unlock(held->id).ok());
  });
  Result<LockInfo> got = waiter.Lock("plan", std::chrono::seconds(30));
  releaser.join();
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->operation, "plan");
}

}  // namespace
}  // namespace cairn::state
