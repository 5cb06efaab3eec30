#include "engine/state/memory_backend.h"

#include <gtest/gtest.h>

#include "engine/state/lock_info.h"
#include "tests/state/state_fixture.h"

namespace cairn::state {
namespace {

TEST(InMemoryBackendTest, FollowsTheSerialAndLineageRules) {
  InMemoryBackend b;
  State s = *b.Load();
  EXPECT_EQ(s.serial, 0u);
  EXPECT_EQ(b.Save(s).code(), Status::Code::kConflict);
  s.serial = 1;
  s.resources["local.file.a"] = Res("a");
  ASSERT_TRUE(b.Save(s).ok());
  EXPECT_EQ(b.Save(s).code(), Status::Code::kConflict);
  State stranger;
  stranger.lineage = NewLineage();
  stranger.serial = 5;
  EXPECT_EQ(b.Save(stranger).code(), Status::Code::kConflict);
  Result<State> back = b.Load();
  EXPECT_EQ(back->lineage, s.lineage);
  EXPECT_NE(back->Find("local.file.a"), nullptr);
  EXPECT_NE(b.snapshot_json().find("\"format_version\": 1"), std::string::npos);
  EXPECT_EQ(b.save_count(), 1);
}

TEST(InMemoryBackendTest, LockNamesItsHolder) {
  InMemoryBackend b;
  LockInfo other = NewLockInfo("apply");
  other.who = "ops@build1";
  other.pid = 77;
  b.SetLockHolder(other);
  Result<LockInfo> denied = b.Lock("plan");
  EXPECT_EQ(denied.status().code(), Status::Code::kLocked);
  EXPECT_NE(denied.status().message().find("ops@build1 (pid 77)"), std::string::npos);
  EXPECT_EQ(b.ForceUnlock("wrong").code(), Status::Code::kConflict);
  ASSERT_TRUE(b.ForceUnlock(other.id).ok());
  Result<LockInfo> mine = b.Lock("plan");
  ASSERT_TRUE(mine.ok());
  EXPECT_TRUE(b.Unlock(mine->id).ok());
}

TEST(InMemoryBackendTest, JournalIsReplayedUntilTheNextSave) {
  InMemoryBackend b;
  State s = *b.Load();
  s.serial = 1;
  s.resources["local.file.gone"] = Res("gone");
  ASSERT_TRUE(b.Save(s).ok());
  {
    Result<std::unique_ptr<Journal>> j = b.OpenJournal(s);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE((*j)->RecordPut(Res("a")).ok());
    ASSERT_TRUE((*j)->RecordDelete("local.file.gone").ok());
  }  // dropped without a save, as after a crash
  Result<State> replayed = b.Load();
  EXPECT_EQ(replayed->serial, 2u);
  EXPECT_NE(replayed->Find("local.file.a"), nullptr);
  EXPECT_EQ(replayed->Find("local.file.gone"), nullptr);
  ASSERT_TRUE(b.Save(*replayed).ok());
  EXPECT_EQ(b.journal_records(), 0u);
  EXPECT_EQ(b.backup_serials(), (std::vector<uint64_t>{1}));
}

TEST(InMemoryBackendTest, InjectedSaveFailureStoresNothing) {
  InMemoryBackend b;
  State s = *b.Load();
  s.serial = 1;
  b.FailNextSave(Status::Error("disk full"));
  EXPECT_EQ(b.Save(s).message(), "disk full");
  EXPECT_EQ(b.snapshot_json(), "");
  EXPECT_TRUE(b.Save(s).ok());
}

}  // namespace
}  // namespace cairn::state
