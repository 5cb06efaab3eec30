// EtcdBackend against a real single-member etcd: compare-and-swap saves, the lease lock,
// chunked large states, history, the journal, and encryption at rest.
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "engine/base/json.h"
#include "engine/state/etcd_client.h"
#include "tests/etcd/etcd_fixture.h"
#include "tests/state/state_fixture.h"

namespace cairn::testing {
namespace {

using state::EtcdBackend;
using state::Res;
using state::State;

std::string Canonical(const State& s) { return DumpJson(state::StateToValue(s)); }

std::shared_ptr<const state::StateCipher> Passphrase(const std::string& secret) {
  state::KeySpec k;
  k.kind = state::KeySpec::Kind::kPassphrase;
  k.secret = secret;
  k.origin = "test";
  return *state::StateCipher::Create(k);
}

// Every value stored under the prefix, concatenated.
std::string RawValues(const state::EtcdOptions& o) {
  state::EtcdClient c(o);
  Result<state::EtcdRange> r = c.Range(o.prefix, state::EtcdPrefixEnd(o.prefix));
  std::string all;
  if (r.ok())
    for (const state::EtcdKv& kv : r->kvs) all += kv.value;
  return all;
}

using EtcdBackendTest = EtcdTest;

TEST_F(EtcdBackendTest, MissingStateLoadsEmptyAndSavedStateLoadsBack) {
  auto b = Backend();
  Result<State> s = b->Load();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->serial, 0u);
  s->resources["local.file.a"] = Res("a", "hello");
  s->serial = 1;
  ASSERT_TRUE(b->Save(*s).ok());

  Result<State> back = Backend()->Load();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(Canonical(*back), Canonical(*s));
}

TEST_F(EtcdBackendTest, ALostRaceIsAConflictNeverAnOverwrite) {
  auto a = Backend(), b = Backend();
  State base = *a->Load();
  base.serial = 1;
  ASSERT_TRUE(a->Save(base).ok());
  State mine = *a->Load(), theirs = *b->Load();
  mine.resources["local.file.mine"] = Res("mine");
  theirs.resources["local.file.theirs"] = Res("theirs");
  mine.serial = theirs.serial = 2;
  ASSERT_TRUE(a->Save(mine).ok());
  Status lost = b->Save(theirs);
  EXPECT_EQ(lost.code(), Status::Code::kConflict) << lost.message();
  EXPECT_NE(lost.message().find("already at serial 2"), std::string::npos) << lost.message();
  State now = *Backend()->Load();
  EXPECT_NE(now.Find("local.file.mine"), nullptr);
  EXPECT_EQ(now.Find("local.file.theirs"), nullptr);

  State stranger;
  stranger.lineage = state::NewLineage();
  stranger.serial = 9;
  EXPECT_EQ(b->Save(stranger).code(), Status::Code::kConflict);
}

TEST_F(EtcdBackendTest, TheLockNamesItsHolderAndForceUnlockNeedsItsId) {
  auto a = Backend(), b = Backend();
  Result<state::LockInfo> held = a->Lock("apply");
  ASSERT_TRUE(held.ok()) << held.status().message();
  Result<state::LockInfo> second = b->Lock("plan");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kLocked);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(getpid())), std::string::npos)
      << second.status().message();
  EXPECT_NE(second.status().message().find(held->id), std::string::npos);
  EXPECT_NE(second.status().message().find("'apply'"), std::string::npos);

  EXPECT_EQ(b->ForceUnlock("not-the-id").code(), Status::Code::kConflict);
  ASSERT_TRUE(b->ForceUnlock(held->id).ok());
  Result<state::LockInfo> after = b->Lock("apply");
  ASSERT_TRUE(after.ok()) << after.status().message();
  // The first holder lost its lock: its saves are refused instead of racing the new holder.
  State s = *a->Load();
  s.serial = 1;
  Status refused = a->Save(s);
  EXPECT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("no longer holds the state lock"), std::string::npos)
      << refused.message();
  EXPECT_TRUE(b->Unlock(after->id).ok());
  EXPECT_EQ(b->ForceUnlock(after->id).code(), Status::Code::kNotFound);
}

TEST_F(EtcdBackendTest, TheLockOutlivesItsTtlWhileKeptAliveAndGoesWithUnlock) {
  state::EtcdOptions o = Options();
  o.lock_ttl_seconds = 1;
  EtcdBackend a(o), b(o);
  Result<state::LockInfo> held = a.Lock("apply");
  ASSERT_TRUE(held.ok()) << held.status().message();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // past the TTL
  EXPECT_EQ(b.Lock("apply").status().code(), Status::Code::kLocked);
  EXPECT_FALSE(a.lock_lost());
  ASSERT_TRUE(a.Unlock(held->id).ok());
  EXPECT_TRUE(b.Lock("apply").ok());
}

TEST_F(EtcdBackendTest, AFiveMebibyteStateIsSplitBelowTheRequestLimitAndLoadsBack) {
  auto b = Backend();
  State s = *b->Load();
  // Distinct contents, so that nothing in the path could shrink them.
  for (int i = 0; i < 80; ++i) {
    std::string content(64 * 1024, 'a' + static_cast<char>(i % 26));
    content.replace(0, 8, std::to_string(10000000 + i));
    s.resources["local.file.r" + std::to_string(i)] = Res("r" + std::to_string(i), content);
  }
  s.serial = 1;
  std::string text = DumpJson(state::StateToValue(s), 2);
  ASSERT_GT(text.size(), 5u << 20);
  ASSERT_TRUE(b->Save(s).ok());

  state::EtcdClient c(Options());
  Result<state::EtcdRange> parts =
      c.Range(prefix_ + "snap/", state::EtcdPrefixEnd(prefix_ + "snap/"), 0, 0, true);
  ASSERT_TRUE(parts.ok());
  EXPECT_GE(parts->kvs.size(), 5u);  // each part is at most 1 MiB
  Result<State> back = Backend()->Load();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(Canonical(*back), Canonical(s));

  // A smaller next state drops nothing it should keep and keeps the big one as history.
  State next = *back;
  next.resources.erase("local.file.r0");
  next.serial = 2;
  ASSERT_TRUE(b->Save(next).ok());
  EXPECT_EQ(Canonical(*Backend()->Load()), Canonical(next));
  Result<std::string> old = Backend()->SnapshotText(1);
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_NE(old->find("local.file.r0"), std::string::npos);
}

TEST_F(EtcdBackendTest, ASaveThatLostTheLockWritesNoPartOfALargeState) {
  // A long TTL: the first holder does not notice by itself that its lease is gone.
  state::EtcdOptions o = Options();
  o.lock_ttl_seconds = 60;
  EtcdBackend a(o), b(o);
  Result<state::LockInfo> held = a.Lock("apply");
  ASSERT_TRUE(held.ok()) << held.status().message();
  State s = *a.Load();
  for (int i = 0; i < 3; ++i)
    s.resources["local.file.r" + std::to_string(i)] =
        Res("r" + std::to_string(i), std::string(1 << 20, static_cast<char>('a' + i)));
  s.serial = 1;
  ASSERT_TRUE(b.ForceUnlock(held->id).ok());
  Result<state::LockInfo> taken = b.Lock("apply");
  ASSERT_TRUE(taken.ok()) << taken.status().message();

  Status refused = a.Save(s);
  EXPECT_NE(refused.message().find("no longer holds the state lock"), std::string::npos)
      << refused.message();
  // Not one part: the new holder's save of the same serial writes to those very keys.
  Result<state::EtcdRange> parts = state::EtcdClient(o).Range(
      prefix_ + "snap/", state::EtcdPrefixEnd(prefix_ + "snap/"), 0, 0, true);
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->kvs.empty()) << parts->kvs.size() << " parts written, first "
                                  << parts->kvs[0].key;
  EXPECT_TRUE(b.Unlock(taken->id).ok());
}

TEST_F(EtcdBackendTest, AProcessThatLostTheLockDoesNotReplaceTheNewHoldersJournal) {
  state::EtcdOptions o = Options();
  o.lock_ttl_seconds = 60;  // the first holder does not notice by itself
  EtcdBackend a(o), b(o);
  Result<state::LockInfo> held = a.Lock("apply");
  ASSERT_TRUE(held.ok()) << held.status().message();
  State stale = *a.Load();
  ASSERT_TRUE(b.ForceUnlock(held->id).ok());
  Result<state::LockInfo> taken = b.Lock("apply");
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  State base = *b.Load();  // no state yet: a lineage of its own
  Result<std::unique_ptr<state::Journal>> j = b.OpenJournal(base);
  ASSERT_TRUE(j.ok()) << j.status().message();
  ASSERT_TRUE((*j)->RecordPut(Res("done", "created by the new holder")).ok());

  Result<std::unique_ptr<state::Journal>> late = a.OpenJournal(stale);
  ASSERT_FALSE(late.ok());
  EXPECT_NE(late.status().message().find("no longer holds the state lock"), std::string::npos)
      << late.status().message();
  Result<State> now = Backend()->Load();
  ASSERT_TRUE(now.ok()) << now.status().message();
  EXPECT_NE(now->Find("local.file.done"), nullptr) << "the new holder's journal was replaced";
  ASSERT_TRUE((*j)->Close().ok());
  EXPECT_TRUE(b.Unlock(taken->id).ok());
}

TEST_F(EtcdBackendTest, PreviousStatesAreKeptAsHistoryUpToTen) {
  auto b = Backend();
  State s = *b->Load();
  for (uint64_t serial = 1; serial <= 13; ++serial) {
    s.serial = serial;
    s.resources["local.file.a"] = Res("a", "v" + std::to_string(serial));
    ASSERT_TRUE(b->Save(s).ok());
  }
  Result<std::vector<uint64_t>> kept = b->HistorySerials();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(*kept, (std::vector<uint64_t>{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  Result<std::string> twelve = b->SnapshotText(12);
  ASSERT_TRUE(twelve.ok());
  EXPECT_NE(twelve->find("\"v12\""), std::string::npos);
  EXPECT_EQ(b->SnapshotText(2).status().code(), Status::Code::kNotFound);
}

TEST_F(EtcdBackendTest, JournaledStepsSurviveACrashAndShareTransactions) {
  State base;
  {
    auto b = Backend();
    base = *b->Load();
    base.serial = 1;
    ASSERT_TRUE(b->Save(base).ok());
    Result<std::unique_ptr<state::Journal>> j = b->OpenJournal(base);
    ASSERT_TRUE(j.ok()) << j.status().message();
    std::vector<std::thread> workers;
    for (int t = 0; t < 8; ++t) {
      workers.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          std::string name = "w" + std::to_string(t) + "_" + std::to_string(i);
          EXPECT_TRUE((*j)->RecordPut(Res(name)).ok());
        }
      });
    }
    for (std::thread& w : workers) w.join();
    ASSERT_TRUE((*j)->RecordDelete("local.file.w0_0").ok());
    auto* handle = static_cast<state::EtcdJournalHandle*>(j->get());
    EXPECT_LT(handle->txns(), 201u);  // concurrent records shared transactions
    // The process "dies" here: no Save.
  }
  auto after = Backend();
  Result<State> loaded = after->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->resources.size(), 199u);
  EXPECT_EQ(loaded->Find("local.file.w0_0"), nullptr);
  EXPECT_NE(loaded->Find("local.file.w7_24"), nullptr);
  EXPECT_EQ(loaded->serial, 2u);
  EXPECT_NE(after->TakeWarnings().items().size(), 0u);
  // The next save makes them part of the snapshot and retires the journal.
  ASSERT_TRUE(after->Save(*loaded).ok());
  EXPECT_EQ(Canonical(*Backend()->Load()), Canonical(*loaded));
  EXPECT_TRUE(after->TakeWarnings().items().empty());
}

TEST_F(EtcdBackendTest, EncryptedStateIsUnreadableWithoutTheKeyAndNeverOverwrittenByAWrongOne) {
  auto b = Backend();
  b->SetCipher(Passphrase("right horse"));
  State s = *b->Load();
  s.resources["local.file.secret"] = Res("secret", "TOPSECRETVALUE");
  s.serial = 1;
  ASSERT_TRUE(b->Save(s).ok());
  Result<std::unique_ptr<state::Journal>> j = b->OpenJournal(s);
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE((*j)->RecordPut(Res("journaled", "JOURNALSECRET")).ok());
  EXPECT_EQ(RawValues(Options()).find("SECRET"), std::string::npos);

  auto plain = Backend();
  Result<State> none = plain->Load();
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("encrypted and no state key"), std::string::npos);

  auto wrong = Backend();
  wrong->SetCipher(Passphrase("wrong horse"));
  Result<State> bad = wrong->Load();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("wrong key"), std::string::npos) << bad.status().message();
  State overwrite;
  overwrite.lineage = s.lineage;
  overwrite.serial = 5;
  EXPECT_FALSE(wrong->Save(overwrite).ok());

  auto right = Backend();
  right->SetCipher(Passphrase("right horse"));
  Result<State> back = right->Load();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->serial, 2u);  // the journaled step was replayed
  EXPECT_NE(back->Find("local.file.journaled"), nullptr);
  EXPECT_EQ(back->Find("local.file.secret")->attributes,
            s.resources["local.file.secret"].attributes);
}

TEST_F(EtcdBackendTest, PlainStateIsEncryptedByTheNextWriteAndRekeyCoversHistory) {
  auto b = Backend();
  State s = *b->Load();
  s.resources["local.file.a"] = Res("a", "PLAINSECRET");
  s.serial = 1;
  ASSERT_TRUE(b->Save(s).ok());
  b->SetCipher(Passphrase("first"));
  State loaded = *b->Load();  // plain text is still read
  loaded.serial = 2;
  ASSERT_TRUE(b->Save(loaded).ok());
  Result<std::string> history = b->SnapshotText(1);
  ASSERT_TRUE(history.ok());
  EXPECT_NE(RawValues(Options()).find("PLAINSECRET"), std::string::npos);  // serial 1, kept

  // Rekey: the current state under the new key, then the history.
  std::shared_ptr<const state::StateCipher> first = b->cipher();
  b->SetCipher(Passphrase("second"));
  loaded.serial = 3;
  ASSERT_TRUE(b->Save(loaded).ok());
  ASSERT_TRUE(b->RekeyHistory(first.get()).ok());
  EXPECT_EQ(RawValues(Options()).find("PLAINSECRET"), std::string::npos);
  auto reader = Backend();
  reader->SetCipher(Passphrase("second"));
  ASSERT_TRUE(reader->Load().ok());
  for (uint64_t serial : {1, 2}) {
    Result<std::string> text = reader->SnapshotText(serial);
    ASSERT_TRUE(text.ok()) << text.status().message();
    EXPECT_NE(text->find("PLAINSECRET"), std::string::npos);
  }
  auto old_key = Backend();
  old_key->SetCipher(first);
  EXPECT_FALSE(old_key->Load().ok());
}

}  // namespace
}  // namespace cairn::testing
