#include "engine/apply/applier.h"

#include <gtest/gtest.h>

#include "tests/apply/fake_journal.h"
#include "tests/plan/plan_fixture.h"

namespace cairn::apply {
namespace {

using plan::Action;
using testing::EventLog;

class ApplierTest : public plan::PlanFixture, public ::testing::Test {
 protected:
  ApplyResult PlanAndApply(const ApplyOptions& opts = {}, const plan::PlanOptions& popts = {}) {
    plan_ = MakeOk(popts);
    fake_->set_log(&log_);
    return Apply(plan_, registry_, &journal_, plan_.refreshed, opts);
  }

  const Value* Attr(const ApplyResult& r, const std::string& address, const std::string& attr) {
    auto it = r.state.resources.find(address);
    return it == r.state.resources.end() ? nullptr : it->second.attributes.Find(attr);
  }

  plan::Plan plan_;
  EventLog log_;
  FakeJournal journal_{&log_};
};

TEST_F(ApplierTest, UnknownReferenceIsResolvedInGraphOrder) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.a.id}")}}));
  Want("local.file.c", Map({{"path", Value("/c")}, {"content", Value("sha=${local.file.b.sha}")}}));
  ApplyResult r = PlanAndApply();
  ASSERT_TRUE(r.diags.empty()) << r.diags.items()[0].summary;
  EXPECT_EQ(r.done, 3u);
  const Value* a_id = Attr(r, "local.file.a", "id");
  ASSERT_NE(a_id, nullptr);
  EXPECT_EQ(*Attr(r, "local.file.b", "content"), *a_id);
  EXPECT_EQ(*Attr(r, "local.file.c", "content"),
            Value("sha=" + Attr(r, "local.file.b", "sha")->AsString()));
  // The live object got the real id too.
  std::string b_id = Attr(r, "local.file.b", "id")->AsString();
  EXPECT_EQ(*fake_->GetObject("local.file", b_id)->Find("content"), *a_id);
  EXPECT_EQ(r.state.resources.at("local.file.b").dependencies,
            (std::vector<std::string>{"local.file.a"}));
}

TEST_F(ApplierTest, JournalRecordsEachResourceBeforeItsDependentsStart) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.a.id}")}}));
  Want("local.file.c", Map({{"path", Value("/c")}}), {"local.file.b"});
  PlanAndApply();
  int put_a = log_.IndexOf("put local.file.a");
  int put_b = log_.IndexOf("put local.file.b");
  ASSERT_GE(put_a, 0);
  ASSERT_GE(put_b, 0);
  EXPECT_LT(put_a, log_.IndexOf("create local.file.b"));
  EXPECT_LT(put_b, log_.IndexOf("create local.file.c"));
  EXPECT_EQ(journal_.puts().size(), 3u);
}

TEST_F(ApplierTest, DependentsWaitForDurabilityWhileFlushesAreShared) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.a.id}")}}));
  const int kIndependent = 60;
  for (int i = 0; i < kIndependent; ++i)
    Want("local.file.x" + std::to_string(i), Map({{"path", Value("/x" + std::to_string(i))}}));
  plan_ = MakeOk();
  fake_->set_log(&log_);
  SlowFlushJournal journal(&log_, std::chrono::milliseconds(5));
  ApplyOptions opts;
  opts.parallelism = 4;
  ApplyResult r = Apply(plan_, registry_, &journal, plan_.refreshed, opts);
  ASSERT_EQ(r.done, static_cast<size_t>(kIndependent + 2));
  // b starts only after a's record reached the disk...
  int durable_a = log_.IndexOf("durable local.file.a");
  ASSERT_GE(durable_a, 0);
  EXPECT_LT(durable_a, log_.IndexOf("create local.file.b"));
  // ...yet one flush covers many completed resources instead of one flush each.
  EXPECT_LT(journal.flushes(), (kIndependent + 2) / 3) << journal.flushes() << " flushes";
}

TEST_F(ApplierTest, FailureSkipsDependentsAndNamesThemWhileOthersComplete) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.a.id}")}}));
  Want("local.file.c", Map({{"path", Value("/c")}}), {"local.file.b"});
  Want("local.file.d", Map({{"path", Value("/d")}}));
  fake_->Fail("create", "local.file.a", Status::Error("disk full", "free some space"));
  std::vector<ApplyEvent> events;
  ApplyOptions opts;
  opts.on_event = [&](const ApplyEvent& e) { events.push_back(e); };
  ApplyResult r = PlanAndApply(opts);
  EXPECT_EQ(r.failed_addresses, (std::vector<std::string>{"local.file.a"}));
  EXPECT_EQ(r.skipped_addresses, (std::vector<std::string>{"local.file.b", "local.file.c"}));
  EXPECT_EQ(r.done, 1u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.skipped, 2u);
  EXPECT_EQ(r.state.resources.count("local.file.d"), 1u);
  EXPECT_EQ(r.state.resources.count("local.file.b"), 0u);
  ASSERT_EQ(r.diags.error_count(), 1u);
  EXPECT_EQ(r.diags.items()[0].summary, "create: disk full");
  EXPECT_EQ(r.diags.items()[0].address, "local.file.a");
  EXPECT_EQ(r.diags.items()[0].hint, "free some space");
  EXPECT_EQ(fake_->CallCount("create"), 2);  // a (failed) and d
  int skipped_events = 0;
  for (const ApplyEvent& e : events)
    if (e.kind == ApplyEvent::Kind::kSkipped) {
      ++skipped_events;
      EXPECT_EQ(e.message, "skipped because local.file.a failed");
    }
  EXPECT_EQ(skipped_events, 2);
}

TEST_F(ApplierTest, ParallelismBoundsConcurrentProviderCalls) {
  for (int parallelism : {4, 1}) {
    PlanFixture f;
    for (int i = 0; i < 20; ++i) {
      std::string n = std::to_string(i);
      f.Want("local.file.f" + n, Map({{"path", Value("/f" + n)}}));
    }
    plan::Plan p = f.MakeOk();
    f.fake()->SetDelay(std::chrono::milliseconds(25));
    ApplyOptions opts;
    opts.parallelism = parallelism;
    ApplyResult r = Apply(p, f.registry(), nullptr, p.refreshed, opts);
    EXPECT_EQ(r.done, 20u);
    EXPECT_EQ(f.fake()->max_in_flight(), parallelism);
  }
}

TEST_F(ApplierTest, StopLeavesWorkNotStarted) {
  for (int i = 0; i < 5; ++i)
    Want("local.file.f" + std::to_string(i), Map({{"path", Value("/f" + std::to_string(i))}}));
  std::atomic<bool> stop{false};
  ApplyOptions opts;
  opts.parallelism = 1;
  opts.stop = &stop;
  opts.on_event = [&](const ApplyEvent& e) {
    if (e.kind == ApplyEvent::Kind::kStart) stop = true;
  };
  ApplyResult r = PlanAndApply(opts);
  EXPECT_EQ(r.done, 1u);  // the step that had started finishes
  EXPECT_EQ(r.not_started, 4u);
  EXPECT_EQ(r.state.resources.size(), 1u);
  EXPECT_TRUE(r.failed_addresses.empty());
}

TEST_F(ApplierTest, DeletesRunDependentsFirst) {
  Have("local.dir.base", Map({{"id", Value("d")}, {"path", Value("/d")}}));
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/d/a")}}), {"local.dir.base"});
  Have("local.file.b", Map({{"id", Value("2")}, {"path", Value("/d/b")}}), {"local.file.a"});
  plan::PlanOptions popts;
  popts.destroy = true;
  ApplyResult r = PlanAndApply({}, popts);
  EXPECT_EQ(fake_->CallAddresses("delete"),
            (std::vector<std::string>{"local.file.b", "local.file.a", "local.dir.base"}));
  EXPECT_EQ(journal_.order(),
            (std::vector<std::string>{"delete local.file.b", "delete local.file.a",
                                      "delete local.dir.base"}));
  EXPECT_TRUE(r.state.resources.empty());
  EXPECT_EQ(r.done, 3u);
}

TEST_F(ApplierTest, DeleteThenCreateDeletesFirst) {
  Have("local.file.a", Map({{"id", Value("old")}, {"path", Value("/a")}, {"sha", Value("s")}}));
  Want("local.file.a", Map({{"path", Value("/a2")}}));
  ApplyResult r = PlanAndApply();
  ASSERT_EQ(plan_.changes[0].action, Action::kDeleteThenCreate);
  EXPECT_LT(log_.IndexOf("delete local.file.a"), log_.IndexOf("create local.file.a"));
  EXPECT_EQ(journal_.order(),
            (std::vector<std::string>{"delete local.file.a", "put local.file.a"}));
  EXPECT_NE(Attr(r, "local.file.a", "id")->AsString(), "old");
  EXPECT_EQ(*Attr(r, "local.file.a", "path"), Value("/a2"));
  EXPECT_FALSE(fake_->GetObject("local.file", "old").has_value());
}

TEST_F(ApplierTest, CreateThenDeleteCreatesFirst) {
  Have("local.cert.web",
       Map({{"id", Value("old")}, {"domain", Value("a.test")}, {"pem", Value("P")}}));
  Want("local.cert.web", Map({{"domain", Value("b.test")}}));
  ApplyResult r = PlanAndApply();
  ASSERT_EQ(plan_.changes[0].action, Action::kCreateThenDelete);
  EXPECT_LT(log_.IndexOf("create local.cert.web"), log_.IndexOf("delete local.cert.web"));
  EXPECT_EQ(journal_.order(), (std::vector<std::string>{"put local.cert.web"}));
  EXPECT_NE(Attr(r, "local.cert.web", "id")->AsString(), "old");
  EXPECT_FALSE(fake_->GetObject("local.cert", "old").has_value());
  EXPECT_EQ(fake_->ObjectCount("local.cert"), 1u);
}

TEST_F(ApplierTest, UpdateKeepsComputedValues) {
  Have("local.file.a", Map({{"id", Value("1")},
                            {"path", Value("/a")},
                            {"mode", Value("0644")},
                            {"sha", Value("s")}}));
  Want("local.file.a", Map({{"path", Value("/a")}, {"mode", Value("0600")}}));
  ApplyResult r = PlanAndApply();
  EXPECT_EQ(fake_->CallCount("update"), 1);
  EXPECT_EQ(*Attr(r, "local.file.a", "mode"), Value("0600"));
  EXPECT_EQ(*Attr(r, "local.file.a", "sha"), Value("s"));
  EXPECT_EQ(*Attr(r, "local.file.a", "id"), Value("1"));
}

TEST_F(ApplierTest, InconsistentProviderResultIsReported) {
  Want("local.file.a", Map({{"path", Value("/a")}, {"content", Value("x")}}));
  Want("local.file.b", Map({{"path", Value("/b")}}), {"local.file.a"});
  fake_->Mangle("local.file.a", "content", Value("y"));
  ApplyResult r = PlanAndApply();
  ASSERT_EQ(r.diags.error_count(), 1u);
  EXPECT_EQ(r.diags.items()[0].summary,
            "provider 'local' produced an inconsistent result for local.file.a: attribute "
            "'content' was planned as \"x\" but is now \"y\"");
  EXPECT_EQ(r.failed_addresses, (std::vector<std::string>{"local.file.a"}));
  EXPECT_EQ(r.skipped_addresses, (std::vector<std::string>{"local.file.b"}));
  EXPECT_EQ(r.state.resources.count("local.file.a"), 1u);  // it exists, so it is recorded
}

TEST_F(ApplierTest, JournalGetsSensitivePathsAndNoOpsCostNothing) {
  Have("local.file.same", Map({{"id", Value("9")}, {"path", Value("/s")}}));
  Want("local.file.same", Map({{"path", Value("/s")}}));
  Want("local.file.a", Map({{"path", Value("/a")}, {"secret", Value("pw")}}));
  ApplyResult r = PlanAndApply();
  ASSERT_EQ(journal_.puts().size(), 1u);
  EXPECT_EQ(journal_.puts()[0].sensitive_paths, (std::vector<std::string>{"secret"}));
  EXPECT_TRUE(journal_.puts()[0].attributes.Find("secret")->sensitive);
  EXPECT_EQ(fake_->CallCount("create"), 1);
  EXPECT_EQ(fake_->CallCount("update"), 0);
  EXPECT_EQ(r.state.resources.size(), 2u);
}

}  // namespace
}  // namespace cairn::apply
