#include "engine/state/local_backend.h"

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/state/state_fixture.h"
#include "tests/support/test_support.h"

namespace cairn::state {
namespace {

using cairn::testing::FileExists;
using cairn::testing::ReadFile;
using cairn::testing::TempDir;
using cairn::testing::WriteFile;

State WithSerial(State s, uint64_t serial) {
  s.serial = serial;
  return s;
}

TEST(LocalBackendTest, MissingStateLoadsEmptyWithNewLineage) {
  TempDir dir;
  LocalBackend b(dir.Join(".cairn"));
  Result<State> s = b.Load();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->serial, 0u);
  EXPECT_EQ(s->lineage.size(), 36u);
  EXPECT_TRUE(s->resources.empty());
  EXPECT_FALSE(FileExists(dir.Join(".cairn")));  // loading writes nothing
}

TEST(LocalBackendTest, SavedStateLoadsBackInAPrivateFile) {
  TempDir dir;
  LocalBackend b(dir.Join(".cairn"));
  State s = *b.Load();
  s.resources["local.file.a"] = Res("a");
  s.serial = 1;
  ASSERT_TRUE(b.Save(s).ok());

  LocalBackend other(dir.Join(".cairn"));
  Result<State> back = other.Load();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->lineage, s.lineage);
  EXPECT_EQ(back->serial, 1u);
  ASSERT_NE(back->Find("local.file.a"), nullptr);
  EXPECT_EQ(back->Find("local.file.a")->attributes, s.resources["local.file.a"].attributes);
  struct stat st;
  ASSERT_EQ(stat(b.state_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // state holds secrets
}

TEST(LocalBackendTest, SaveRefusesASerialNotAboveTheStoredOne) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = *b.Load();
  EXPECT_EQ(b.Save(s).code(), Status::Code::kConflict);  // serial 0 is "nothing stored"
  ASSERT_TRUE(b.Save(WithSerial(s, 5)).ok());
  Status again = b.Save(WithSerial(s, 5));
  EXPECT_EQ(again.code(), Status::Code::kConflict);
  EXPECT_NE(again.message().find("already at serial 5"), std::string::npos);
  EXPECT_EQ(b.Save(WithSerial(s, 4)).code(), Status::Code::kConflict);
  EXPECT_TRUE(b.Save(WithSerial(s, 6)).ok());
}

TEST(LocalBackendTest, SaveRefusesAnotherLineage) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = *b.Load();
  ASSERT_TRUE(b.Save(WithSerial(s, 1)).ok());
  State stranger;
  stranger.lineage = NewLineage();
  stranger.serial = 9;
  Status st = b.Save(stranger);
  EXPECT_EQ(st.code(), Status::Code::kConflict);
  EXPECT_NE(st.message().find("lineage"), std::string::npos);
  EXPECT_EQ(b.Load()->serial, 1u);
}

TEST(LocalBackendTest, SaveDetectsAWriteByAnotherProcess) {
  TempDir dir;
  LocalBackend mine(dir.path()), theirs(dir.path());
  State s = *mine.Load();
  ASSERT_TRUE(mine.Save(WithSerial(s, 1)).ok());
  ASSERT_TRUE(theirs.Save(WithSerial(*theirs.Load(), 2)).ok());
  EXPECT_EQ(mine.Save(WithSerial(s, 2)).code(), Status::Code::kConflict);
}

TEST(LocalBackendTest, CrashBeforeRenameLeavesTheOldState) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = *b.Load();
  s.resources["local.file.a"] = Res("a", "old");
  ASSERT_TRUE(b.Save(WithSerial(s, 1)).ok());
  // What a crash between writing the temp file and renaming it leaves behind.
  std::string temp = b.state_path() + ".tmp.99999";
  WriteFile(temp, "{\"format_version\": 1, \"lineage\": \"half-writ");

  LocalBackend after(dir.path());
  Result<State> back = after.Load();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->serial, 1u);
  EXPECT_EQ(back->Find("local.file.a")->attributes.Find("content")->AsString(), "old");

  // The next locked save carries on and sweeps the leftover away.
  Result<LockInfo> lock = after.Lock("apply");
  ASSERT_TRUE(lock.ok());
  ASSERT_TRUE(after.Save(WithSerial(*back, 2)).ok());
  EXPECT_FALSE(FileExists(temp));
  ASSERT_TRUE(after.Unlock(lock->id).ok());
}

TEST(LocalBackendTest, BackupsKeepTheLastTenSnapshots) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = *b.Load();
  for (uint64_t serial = 1; serial <= 15; ++serial) {
    s.resources["local.file.a"] = Res("a", "v" + std::to_string(serial));
    ASSERT_TRUE(b.Save(WithSerial(s, serial)).ok());
  }
  // Serials 1..14 were replaced; the newest ten of them are kept.
  for (uint64_t serial = 1; serial <= 4; ++serial) {
    EXPECT_FALSE(FileExists(b.backups_dir() + "/state." + std::to_string(serial) + ".json"));
  }
  for (uint64_t serial = 5; serial <= 14; ++serial) {
    std::string path = b.backups_dir() + "/state." + std::to_string(serial) + ".json";
    ASSERT_TRUE(FileExists(path)) << path;
    EXPECT_NE(ReadFile(path).find("\"v" + std::to_string(serial) + "\""), std::string::npos);
  }
  EXPECT_FALSE(FileExists(b.backups_dir() + "/state.15.json"));
}

TEST(LocalBackendTest, CorruptStateIsAnErrorAndIsNeverOverwritten) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = *b.Load();
  ASSERT_TRUE(b.Save(WithSerial(s, 1)).ok());
  ASSERT_TRUE(b.Save(WithSerial(s, 2)).ok());
  WriteFile(b.state_path(), "{ not json");

  LocalBackend after(dir.path());
  Result<State> r = after.Load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("left untouched"), std::string::npos);
  EXPECT_NE(r.status().hint().find("backups/state.1.json"), std::string::npos);
  EXPECT_FALSE(after.Save(WithSerial(s, 3)).ok());
  EXPECT_EQ(ReadFile(b.state_path()), "{ not json");
}

TEST(LocalBackendTest, DefaultDirIsNextToTheBlueprint) {
  EXPECT_EQ(LocalBackend::DefaultDir("/srv/site/blueprint.yaml"), "/srv/site/.cairn");
  EXPECT_EQ(LocalBackend::DefaultDir("blueprint.yaml"), "./.cairn");
  EXPECT_EQ(LocalBackend("/x").Describe(), "local state in /x");
}

TEST(LocalBackendTest, TenThousandResourcesLoadAndSaveQuickly) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = *b.Load();
  for (int i = 0; i < 10000; ++i) {
    ResourceState r = Res("f" + std::to_string(i), std::string(64, 'x'));
    r.attributes["mode"] = "0644";
    r.attributes["size"] = 64;
    r.dependencies = {"local.dir.root"};
    s.resources[r.address] = r;
  }
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  ASSERT_TRUE(b.Save(WithSerial(s, 1)).ok());
  auto t1 = Clock::now();
  LocalBackend fresh(dir.path());
  Result<State> back = fresh.Load();
  auto t2 = Clock::now();
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->resources.size(), 10000u);
  ASSERT_TRUE(fresh.Save(WithSerial(*back, 2)).ok());
  auto t3 = Clock::now();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "10000 resources: save " << ms(t1 - t0) << " ms, load " << ms(t2 - t1)
            << " ms, second save " << ms(t3 - t2) << " ms\n";
  ::testing::Test::RecordProperty("save_ms", static_cast<int>(ms(t1 - t0)));
  ::testing::Test::RecordProperty("load_ms", static_cast<int>(ms(t2 - t1)));
}

}  // namespace
}  // namespace cairn::state
