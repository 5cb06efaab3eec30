#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/state/journal_writer.h"
#include "engine/state/local_backend.h"
#include "tests/state/state_fixture.h"
#include "tests/support/test_support.h"

namespace cairn::state {
namespace {

using cairn::testing::FileExists;
using cairn::testing::ReadFile;
using cairn::testing::TempDir;
using cairn::testing::WriteFile;

// Saves a state with resources a and c at serial 1 and returns it.
State SaveBase(LocalBackend* b) {
  State s = *b->Load();
  s.resources["local.file.a"] = Res("a", "old");
  s.resources["local.file.c"] = Res("c");
  s.serial = 1;
  EXPECT_TRUE(b->Save(s).ok());
  return s;
}

std::string Summaries(const Diagnostics& ds) {
  std::string out;
  for (const Diagnostic& d : ds.items()) out += d.summary + "\n";
  return out;
}

void AppendToFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << data;
}

TEST(JournalTest, LoadReplaysTheRecordsOfAnApplyKilledMidway) {
  TempDir dir;
  LocalBackend b(dir.path());
  State base = SaveBase(&b);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    LocalBackend cb(dir.path());
    Result<State> s = cb.Load();
    if (!s.ok()) _exit(2);
    Result<std::unique_ptr<Journal>> j = cb.OpenJournal(*s);
    if (!j.ok()) _exit(3);
    ResourceState secret = Res("b", "new");
    secret.attributes["content"].sensitive = true;
    if (!(*j)->RecordPut(Res("a", "new")).ok() || !(*j)->RecordPut(secret).ok() ||
        !(*j)->RecordDelete("local.file.c").ok()) {
      _exit(4);
    }
    raise(SIGKILL);  // no Close, no Save, no destructors
    _exit(5);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);

  LocalBackend after(dir.path());
  Result<State> s = after.Load();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->lineage, base.lineage);
  EXPECT_EQ(s->serial, 2u);  // not the snapshot any more
  EXPECT_EQ(s->Find("local.file.a")->attributes.Find("content")->AsString(), "new");
  ASSERT_NE(s->Find("local.file.b"), nullptr);
  EXPECT_TRUE(s->Find("local.file.b")->attributes.Find("content")->sensitive);
  EXPECT_EQ(s->Find("local.file.c"), nullptr);
  EXPECT_NE(Summaries(after.TakeWarnings()).find("recovered 3 change(s)"), std::string::npos);

  // The CLI saves the loaded state with serial + 1: accepted, and the journal is retired.
  State next = *s;
  next.serial += 1;
  ASSERT_TRUE(after.Save(next).ok());
  EXPECT_FALSE(FileExists(after.journal_path()));
  LocalBackend again(dir.path());
  Result<State> reloaded = again.Load();
  EXPECT_EQ(reloaded->serial, 3u);
  EXPECT_EQ(reloaded->resources.size(), 2u);
  EXPECT_TRUE(again.TakeWarnings().empty());
}

TEST(JournalTest, SavingTheReplayedStateWithItsOwnSerialIsAccepted) {
  TempDir dir;
  LocalBackend b(dir.path());
  State base = SaveBase(&b);
  {
    Result<std::unique_ptr<Journal>> j = b.OpenJournal(base);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE((*j)->RecordPut(Res("z")).ok());
  }
  Result<State> s = b.Load();
  ASSERT_EQ(s->serial, 2u);
  EXPECT_TRUE(b.Save(*s).ok());
}

TEST(JournalTest, TornLastRecordIsIgnoredAndLaterRecordsStillCount) {
  TempDir dir;
  LocalBackend b(dir.path());
  State base = SaveBase(&b);
  {
    Result<std::unique_ptr<Journal>> j = b.OpenJournal(base);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE((*j)->RecordPut(Res("d")).ok());
    ASSERT_TRUE((*j)->RecordPut(Res("e")).ok());
    ASSERT_TRUE((*j)->Close().ok());
  }
  // A write cut short by kill -9 or a power loss: no newline, bad checksum.
  AppendToFile(b.journal_path(), "0badf00d {\"op\":\"put\",\"resource\":{\"addr");

  Result<State> s = b.Load();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_NE(s->Find("local.file.d"), nullptr);
  EXPECT_NE(s->Find("local.file.e"), nullptr);
  EXPECT_NE(Summaries(b.TakeWarnings()).find("last record is incomplete"), std::string::npos);

  // A new apply continues the journal after cutting the torn tail.
  {
    Result<std::unique_ptr<Journal>> j = b.OpenJournal(*s);
    ASSERT_TRUE(j.ok()) << j.status().message();
    ASSERT_TRUE((*j)->RecordPut(Res("f")).ok());
  }
  LocalBackend after(dir.path());
  Result<State> s2 = after.Load();
  EXPECT_NE(s2->Find("local.file.d"), nullptr);
  EXPECT_NE(s2->Find("local.file.f"), nullptr);
  EXPECT_EQ(Summaries(after.TakeWarnings()).find("incomplete"), std::string::npos);
}

TEST(JournalTest, DamagedRecordEndsTheReplay) {
  TempDir dir;
  LocalBackend b(dir.path());
  State base = SaveBase(&b);
  {
    Result<std::unique_ptr<Journal>> j = b.OpenJournal(base);
    ASSERT_TRUE((*j)->RecordPut(Res("d", "first")).ok());
    ASSERT_TRUE((*j)->RecordPut(Res("e", "second")).ok());
  }
  std::string text = ReadFile(b.journal_path());
  size_t at = text.find("first");
  ASSERT_NE(at, std::string::npos);
  text[at] = 'F';  // the checksum no longer matches
  WriteFile(b.journal_path(), text);
  Result<State> s = b.Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->Find("local.file.d"), nullptr);
  EXPECT_EQ(s->Find("local.file.e"), nullptr);
  EXPECT_NE(Summaries(b.TakeWarnings()).find("record 1 is damaged"), std::string::npos);
}

TEST(JournalTest, JournalOfAnotherSerialIsIgnoredWithAWarning) {
  TempDir dir;
  LocalBackend b(dir.path());
  State base = SaveBase(&b);
  {
    Result<std::unique_ptr<Journal>> j = b.OpenJournal(base);
    ASSERT_TRUE((*j)->RecordPut(Res("stale")).ok());
  }
  std::string journal = ReadFile(b.journal_path());
  State next = base;
  next.serial = 2;
  ASSERT_TRUE(b.Save(next).ok());
  WriteFile(b.journal_path(), journal);  // as if left over by a crash after the rename

  Result<State> s = b.Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->serial, 2u);
  EXPECT_EQ(s->Find("local.file.stale"), nullptr);
  std::string warnings = Summaries(b.TakeWarnings());
  EXPECT_NE(warnings.find("ignored"), std::string::npos);
  EXPECT_NE(warnings.find("serial 1"), std::string::npos);
}

TEST(JournalTest, FirstApplyInterruptedBeforeItsFirstSaveKeepsItsLineage) {
  TempDir dir;
  LocalBackend b(dir.path());
  State empty = *b.Load();
  {
    Result<std::unique_ptr<Journal>> j = b.OpenJournal(empty);
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE((*j)->RecordPut(Res("a")).ok());
  }
  LocalBackend after(dir.path());
  Result<State> s = after.Load();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->lineage, empty.lineage);
  EXPECT_EQ(s->serial, 1u);
  EXPECT_NE(s->Find("local.file.a"), nullptr);
  EXPECT_TRUE(after.Save(*s).ok());
}

TEST(JournalTest, SaveDuringAnApplyKeepsRecordsTheSnapshotLacks) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = SaveBase(&b);
  Result<std::unique_ptr<Journal>> j = b.OpenJournal(s);
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE((*j)->RecordPut(Res("a", "new")).ok());
  ASSERT_TRUE((*j)->RecordPut(Res("b")).ok());  // raced with the snapshot below
  s.resources["local.file.a"] = Res("a", "new");
  s.serial = 2;
  ASSERT_TRUE(b.Save(s).ok());
  ASSERT_TRUE((*j)->RecordPut(Res("c")).ok());

  LocalBackend after(dir.path());
  Result<State> back = after.Load();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->serial, 3u);
  EXPECT_EQ(back->Find("local.file.a")->attributes.Find("content")->AsString(), "new");
  EXPECT_NE(back->Find("local.file.b"), nullptr);
  EXPECT_NE(back->Find("local.file.c"), nullptr);
  // Only b and c are left in the journal: a is in the snapshot.
  std::string text = ReadFile(b.journal_path());
  EXPECT_EQ(text.find("local.file.a"), std::string::npos);
}

TEST(JournalTest, ClosedJournalAcceptsNothing) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = SaveBase(&b);
  Result<std::unique_ptr<Journal>> j = b.OpenJournal(s);
  ASSERT_TRUE((*j)->Close().ok());
  EXPECT_FALSE((*j)->RecordPut(Res("x")).ok());
  EXPECT_TRUE(b.OpenJournal(s).ok());  // a new one may start
}

TEST(JournalTest, JournalOnAnotherLineageIsRefused) {
  TempDir dir;
  LocalBackend b(dir.path());
  SaveBase(&b);
  State stranger;
  stranger.lineage = NewLineage();
  EXPECT_EQ(b.OpenJournal(stranger).status().code(), Status::Code::kConflict);
}

TEST(JournalTest, GroupCommitUnderTenThreadsKeepsEveryRecord) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = SaveBase(&b);
  Result<std::unique_ptr<Journal>> j = b.OpenJournal(s);
  ASSERT_TRUE(j.ok());
  // Each record costs at least one fdatasync round trip for its thread, so the total is bounded
  // by the disk's flush latency; the count is moderate so the test stays quick on slow disks.
  // CAIRN_JOURNAL_BENCH_PER_THREAD=1000 gives the 10,000-record measurement.
  constexpr int kThreads = 10;
  const char* env = std::getenv("CAIRN_JOURNAL_BENCH_PER_THREAD");
  const int kPerThread = env != nullptr && std::atoi(env) >= 10 ? std::atoi(env) : 200;
  std::atomic<int> failures{0};
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "t" + std::to_string(t) + "_" + std::to_string(i);
        Status st = i % 10 == 9 ? (*j)->RecordDelete("local.file.t" + std::to_string(t) + "_" +
                                                     std::to_string(i - 1))
                                : (*j)->RecordPut(Res(name));
        if (!st.ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  auto elapsed = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(failures.load(), 0);
  uint64_t syncs = dynamic_cast<LocalJournal*>(j->get())->syncs();
  double secs = std::chrono::duration<double>(elapsed).count();
  std::cout << kThreads * kPerThread << " records from " << kThreads << " threads in "
            << static_cast<int>(secs * 1000) << " ms ("
            << static_cast<int>(kThreads * kPerThread / secs) << " records/s), " << syncs
            << " fdatasyncs\n";
  EXPECT_LT(syncs, static_cast<uint64_t>(kThreads * kPerThread));  // records shared syncs

  LocalBackend after(dir.path());
  Result<State> back = after.Load();
  ASSERT_TRUE(back.ok());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      std::string addr = "local.file.t" + std::to_string(t) + "_" + std::to_string(i);
      bool deleted = i % 10 == 8;  // deleted by the record after it
      bool never = i % 10 == 9;
      EXPECT_EQ(back->Find(addr) != nullptr, !deleted && !never) << addr;
    }
  }
}

}  // namespace
}  // namespace cairn::state
