// LocalBackend with encryption at rest: snapshots, backups and journal records are sealed,
// plain state is converted by the next write, and a wrong key changes nothing.
#include <gtest/gtest.h>

#include "engine/state/local_backend.h"
#include "tests/state/state_fixture.h"
#include "tests/support/test_support.h"

namespace cairn::state {
namespace {

using cairn::testing::ReadFile;
using cairn::testing::TempDir;

std::shared_ptr<const StateCipher> Key(const std::string& secret) {
  KeySpec k;
  k.kind = KeySpec::Kind::kPassphrase;
  k.secret = secret;
  k.kdf = "pbkdf2";
  k.origin = "test";
  return *StateCipher::Create(k);
}

TEST(LocalEncryptionTest, PlainStateIsSealedByTheNextWriteWithItsJournal) {
  TempDir dir;
  LocalBackend b(dir.path());
  State s = *b.Load();
  s.resources["local.file.a"] = Res("a", "SECRETCONTENT");
  s.serial = 1;
  ASSERT_TRUE(b.Save(s).ok());
  EXPECT_NE(ReadFile(b.state_path()).find("SECRETCONTENT"), std::string::npos);

  b.SetCipher(Key("k1"));
  State loaded = *b.Load();
  loaded.serial = 2;
  ASSERT_TRUE(b.Save(loaded).ok());
  EXPECT_EQ(ReadFile(b.state_path()).find("SECRETCONTENT"), std::string::npos);
  Result<std::unique_ptr<Journal>> j = b.OpenJournal(loaded);
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE((*j)->RecordPut(Res("b", "JOURNALSECRET")).ok());
  EXPECT_EQ(ReadFile(b.journal_path()).find("JOURNALSECRET"), std::string::npos);

  LocalBackend reader(dir.path());
  reader.SetCipher(Key("k1"));
  Result<State> back = reader.Load();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_NE(back->Find("local.file.b"), nullptr);  // replayed from the sealed journal
  EXPECT_EQ(back->Find("local.file.a")->attributes, s.resources["local.file.a"].attributes);
}

TEST(LocalEncryptionTest, AWrongKeyNeitherReadsNorOverwritesAndRekeyCoversBackups) {
  TempDir dir;
  LocalBackend b(dir.path());
  b.SetCipher(Key("right"));
  State s = *b.Load();
  s.resources["local.file.a"] = Res("a", "SECRETCONTENT");
  for (uint64_t serial = 1; serial <= 3; ++serial) {
    s.serial = serial;
    ASSERT_TRUE(b.Save(s).ok());
  }
  const std::string stored = ReadFile(b.state_path());

  LocalBackend wrong(dir.path());
  wrong.SetCipher(Key("wrong"));
  Result<State> bad = wrong.Load();
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("wrong key"), std::string::npos);
  State over = s;
  over.serial = 9;
  EXPECT_FALSE(wrong.Save(over).ok());
  EXPECT_EQ(ReadFile(b.state_path()), stored);
  LocalBackend keyless(dir.path());
  EXPECT_FALSE(keyless.Load().ok());

  // Rekey: save under the new key, then re-encrypt the backups.
  State cur = *b.Load();
  std::shared_ptr<const StateCipher> old = b.cipher();
  b.SetCipher(Key("new"));
  cur.serial = 4;
  ASSERT_TRUE(b.Save(cur).ok());
  ASSERT_TRUE(b.RekeyHistory(old.get()).ok());
  for (uint64_t serial : {1, 2, 3}) {
    std::string backup = ReadFile(b.backups_dir() + "/state." + std::to_string(serial) + ".json");
    EXPECT_TRUE(Key("new")->Open(backup, "backup").ok())
        << "backup " << serial << " is not under the new key";
    EXPECT_FALSE(old->Open(backup, "backup").ok());
  }
  LocalBackend with_new(dir.path());
  with_new.SetCipher(Key("new"));
  EXPECT_TRUE(with_new.Load().ok());
}

}  // namespace
}  // namespace cairn::state
