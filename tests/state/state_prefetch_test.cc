// The state file parsed ahead of time: used only when the file under the lock is the same.
#include "engine/state/state_prefetch.h"

#include <gtest/gtest.h>

#include "engine/state/local_backend.h"
#include "tests/state/state_fixture.h"
#include "tests/support/test_support.h"

namespace cairn::state {
namespace {

using cairn::testing::ReadFile;
using cairn::testing::TempDir;
using cairn::testing::WriteFile;

// Saves a state of one resource whose content is `content` at `serial` and returns the text.
std::string SaveOne(LocalBackend* b, const std::string& lineage, uint64_t serial,
                    const std::string& content) {
  State s;
  s.lineage = lineage;
  s.serial = serial;
  s.resources["local.file.a"] = Res("a", content);
  EXPECT_TRUE(b->Save(s).ok());
  return ReadFile(b->state_path());
}

TEST(StatePrefetchTest, GivesTheParsedStateOnceForTheSameFileAndText) {
  TempDir dir;
  LocalBackend b(dir.Join(".cairn"));
  std::string text = SaveOne(&b, "0b7c9a34-5a8c-4c3e-9d2a-6a3f1e2b7c10", 3, "first");
  std::shared_ptr<StatePrefetch> p = StatePrefetch::Start(b.state_path());
  EXPECT_FALSE(p->TakeIfSame(b.state_path() + ".other", text).has_value());

  p = StatePrefetch::Start(b.state_path());
  EXPECT_FALSE(p->TakeIfSame(b.state_path(), text + " ").has_value());

  p = StatePrefetch::Start(b.state_path());
  std::optional<State> s = p->TakeIfSame(b.state_path(), text);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->serial, 3u);
  EXPECT_EQ(*s->Find("local.file.a")->attributes.Find("content"), Value("first"));
  EXPECT_FALSE(p->TakeIfSame(b.state_path(), text).has_value());  // once
}

TEST(StatePrefetchTest, AMissingOrDamagedFileIsNotPrefetched) {
  TempDir dir;
  std::string path = dir.Join("state.json");
  EXPECT_FALSE(StatePrefetch::Start(path)->TakeIfSame(path, "").has_value());
  WriteFile(path, "{\"format_version\": ");
  EXPECT_FALSE(StatePrefetch::Start(path)->TakeIfSame(path, "{\"format_version\": ").has_value());
}

// The file changed between the prefetch and the locked read (another apply saved meanwhile):
// the backend reads what is on disk now, not what was prefetched.
TEST(StatePrefetchTest, TheBackendLoadsTheFileAsItIsUnderTheLock) {
  TempDir dir;
  const std::string lineage = "0b7c9a34-5a8c-4c3e-9d2a-6a3f1e2b7c10";
  LocalBackend writer(dir.Join(".cairn"));
  SaveOne(&writer, lineage, 1, "old");
  std::shared_ptr<StatePrefetch> stale = StatePrefetch::Start(writer.state_path());
  SaveOne(&writer, lineage, 2, "new");

  LocalBackend reader(dir.Join(".cairn"));
  reader.SetPrefetch(stale);
  Result<State> s = reader.Load();
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s->serial, 2u);
  EXPECT_EQ(*s->Find("local.file.a")->attributes.Find("content"), Value("new"));

  // Unchanged: the prefetched state is the one loaded, and it is the same as a fresh parse.
  LocalBackend again(dir.Join(".cairn"));
  again.SetPrefetch(StatePrefetch::Start(writer.state_path()));
  Result<State> fast = again.Load();
  LocalBackend plain(dir.Join(".cairn"));
  Result<State> slow = plain.Load();
  ASSERT_TRUE(fast.ok() && slow.ok());
  EXPECT_EQ(StateToValue(*fast), StateToValue(*slow));
}

}  // namespace
}  // namespace cairn::state
