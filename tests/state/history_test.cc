// The apply history kept in the state: records survive the state file format, entries written
// by older versions are skipped, and the live commit is the newest recorded one.
#include "engine/state/history.h"

#include <gtest/gtest.h>

namespace cairn::state {
namespace {

ApplyRecord Record(uint64_t serial, const std::string& commit, const std::string& result) {
  ApplyRecord r;
  r.serial = serial;
  r.time = "2026-03-01T12:00:00Z";
  r.user = "ada@build1";
  r.operation = "apply";
  r.commit = commit;
  r.added = 1;
  r.changed = 2;
  r.replaced = 3;
  r.deleted = 4;
  r.result = result;
  return r;
}

TEST(HistoryTest, RecordsSurviveTheStateFile) {
  State s;
  s.lineage = NewLineage();
  ApplyRecord r = Record(3, "abc", "failed");
  r.dirty = true;
  AppendHistory(&s, ApplyRecordToValue(r), kHistoryKept);
  Result<State> back = StateFromValue(StateToValue(s));
  ASSERT_TRUE(back.ok()) << back.status().message();
  std::vector<ApplyRecord> h = ApplyHistory(*back);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].serial, 3u);
  EXPECT_EQ(h[0].user, "ada@build1");
  EXPECT_EQ(h[0].commit, "abc");
  EXPECT_TRUE(h[0].dirty);
  EXPECT_EQ(h[0].added + h[0].changed + h[0].replaced + h[0].deleted, 10);
  EXPECT_EQ(h[0].deleted, 4);
  EXPECT_EQ(h[0].result, "failed");
}

TEST(HistoryTest, SkipsEntriesThatAreNotApplyRecords) {
  State s;
  AppendHistory(&s, Value("applied"));  // as an older cairn could have written
  AppendHistory(&s, ApplyRecordToValue(Record(1, "c1", "success")));
  Value other = Value::EmptyMap();
  other["kind"] = "note";
  AppendHistory(&s, other);
  std::vector<ApplyRecord> h = ApplyHistory(s);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].commit, "c1");
}

TEST(HistoryTest, TheLiveCommitIsTheNewestRecordedOne) {
  State s;
  EXPECT_EQ(LastAppliedCommit(s), "");
  AppendHistory(&s, ApplyRecordToValue(Record(1, "c1", "success")));
  AppendHistory(&s, ApplyRecordToValue(Record(2, "c2", "failed")));  // partly live all the same
  AppendHistory(&s, ApplyRecordToValue(Record(3, "", "success")));   // applied outside git
  EXPECT_EQ(LastAppliedCommit(s), "c2");
}

}  // namespace
}  // namespace cairn::state
