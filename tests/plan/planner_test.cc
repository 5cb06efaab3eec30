#include "engine/plan/planner.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

#include "tests/plan/plan_fixture.h"

namespace cairn::plan {
namespace {

class PlannerTest : public PlanFixture, public ::testing::Test {};

TEST_F(PlannerTest, NewResourceIsCreatedWithComputedAttributesUnknown) {
  Want("local.file.a", Map({{"path", Value("/a")}, {"content", Value("hi")}}));
  Plan p = MakeOk();
  ASSERT_EQ(p.changes.size(), 1u);
  const ResourceChange& c = p.changes[0];
  EXPECT_EQ(c.action, Action::kCreate);
  EXPECT_TRUE(c.before.is_null());
  EXPECT_EQ(*c.after.Find("content"), Value("hi"));
  EXPECT_TRUE(c.after.Find("sha")->is_unknown());
  EXPECT_TRUE(c.after.Find("id")->is_unknown());
  EXPECT_EQ(p.Count(Action::kCreate), 1u);
  EXPECT_TRUE(p.HasChanges());
}

TEST_F(PlannerTest, MatchingObjectIsANoOpAndKeepsComputedValues) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}, {"sha", Value("abc")}}));
  Want("local.file.a", Map({{"path", Value("/a")}, {"content", Value()}}));
  Plan p = MakeOk();
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].action, Action::kNoOp);
  EXPECT_EQ(*p.changes[0].after.Find("sha"), Value("abc"));
  EXPECT_FALSE(p.HasChanges());
  EXPECT_TRUE(p.drift.empty());
}

TEST_F(PlannerTest, ChangedAttributeIsUpdatedInPlace) {
  Have("local.file.a", Map({{"id", Value("1")},
                            {"path", Value("/a")},
                            {"mode", Value("0644")},
                            {"sha", Value("abc")}}));
  Want("local.file.a", Map({{"path", Value("/a")}, {"mode", Value("0600")}}));
  Plan p = MakeOk();
  const ResourceChange& c = p.changes[0];
  EXPECT_EQ(c.action, Action::kUpdate);
  EXPECT_EQ(*c.before.Find("mode"), Value("0644"));
  EXPECT_EQ(*c.after.Find("mode"), Value("0600"));
  EXPECT_EQ(*c.after.Find("sha"), Value("abc"));  // computed, not configured: kept
  EXPECT_TRUE(c.requires_replace.empty());
}

TEST_F(PlannerTest, ForceNewAttributeChangeReplacesDeleteFirst) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}, {"sha", Value("abc")}}));
  Want("local.file.a", Map({{"path", Value("/b")}}));
  Plan p = MakeOk();
  const ResourceChange& c = p.changes[0];
  EXPECT_EQ(c.action, Action::kDeleteThenCreate);
  EXPECT_EQ(c.requires_replace, (std::vector<std::string>{"path"}));
  EXPECT_TRUE(c.after.Find("sha")->is_unknown());
  EXPECT_EQ(p.Count(Action::kDeleteThenCreate), 1u);
}

TEST_F(PlannerTest, CreateBeforeDestroyTypeReplacesCreateFirst) {
  Have("local.cert.web",
       Map({{"id", Value("c1")}, {"domain", Value("a.test")}, {"pem", Value("PEM")}}));
  Want("local.cert.web", Map({{"domain", Value("b.test")}}));
  Plan p = MakeOk();
  EXPECT_EQ(p.changes[0].action, Action::kCreateThenDelete);
  EXPECT_TRUE(p.changes[0].after.Find("pem")->is_unknown());
}

TEST_F(PlannerTest, ProviderPlanCanRequireReplacement) {
  Have("local.custom.x", Map({{"id", Value("1")}, {"size", Value(1)}}));
  Want("local.custom.x", Map({{"size", Value(2)}}));
  fake_->SetRequiresReplace({"size"});
  Plan p = MakeOk();
  EXPECT_EQ(p.changes[0].action, Action::kDeleteThenCreate);
  EXPECT_EQ(p.changes[0].requires_replace, (std::vector<std::string>{"size"}));
  EXPECT_EQ(fake_->CallCount("plan"), 1);
}

TEST_F(PlannerTest, ResourceMissingFromBlueprintIsDeleted) {
  Have("local.file.old", Map({{"id", Value("1")}, {"path", Value("/old")}}));
  Plan p = MakeOk();
  ASSERT_EQ(p.changes.size(), 1u);
  EXPECT_EQ(p.changes[0].action, Action::kDelete);
  EXPECT_EQ(p.changes[0].reason, "not in the blueprint");
  EXPECT_TRUE(p.changes[0].after.is_null());
}

TEST_F(PlannerTest, DestroyDeletesEverythingDependentsFirst) {
  Have("local.dir.base", Map({{"id", Value("d")}, {"path", Value("/d")}}));
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/d/a")}}), {"local.dir.base"});
  Have("local.file.b", Map({{"id", Value("2")}, {"path", Value("/d/b")}}), {"local.file.a"});
  Want("local.dir.base", Map({{"path", Value("/d")}}));
  PlanOptions opts;
  opts.destroy = true;
  Plan p = MakeOk(opts);
  EXPECT_TRUE(p.destroy);
  EXPECT_EQ(Order(p), (std::vector<std::string>{"local.file.b", "local.file.a", "local.dir.base"}));
  EXPECT_EQ(Find(p, "local.dir.base")->depends_on, (std::vector<std::string>{"local.file.a"}));
  EXPECT_EQ(Find(p, "local.file.a")->depends_on, (std::vector<std::string>{"local.file.b"}));
  for (const ResourceChange& c : p.changes) EXPECT_EQ(c.action, Action::kDelete);
}

TEST_F(PlannerTest, ChangesComeInDependencyOrder) {
  Want("local.file.z", Map({{"path", Value("/z")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.z.sha}")}}));
  Want("local.file.a", Map({{"path", Value("/a")}}), {"local.file.b"});
  Plan p = MakeOk();
  EXPECT_EQ(Order(p), (std::vector<std::string>{"local.file.z", "local.file.b", "local.file.a"}));
  EXPECT_EQ(Find(p, "local.file.b")->depends_on, (std::vector<std::string>{"local.file.z"}));
  EXPECT_EQ(Find(p, "local.file.a")->depends_on, (std::vector<std::string>{"local.file.b"}));
}

TEST_F(PlannerTest, ReferenceToComputedValueOfNewResourceIsUnknown) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("a is ${local.file.a.id}")}}));
  Plan p = MakeOk();
  const ResourceChange* b = Find(p, "local.file.b");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->after.Find("content")->is_unknown());
  EXPECT_EQ(*b->config.Find("content"), Value("a is ${local.file.a.id}"));
}

// Many resources at one depth of the graph are planned together; each sees the planned values
// of what it references, and errors come in the same order as a one-by-one plan gives them.
TEST_F(PlannerTest, ALevelOfManyResourcesIsPlannedTogetherWithReferencesAndErrorsInOrder) {
  Want("local.custom.base", Map({{"size", Value(int64_t{3})}}));
  std::vector<std::string> items;
  for (int i = 0; i < 40; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "local.custom.item%02d", i);
    items.push_back(name);
    Want(name, Map({{"size", Value("${local.custom.base.size}")}}));
  }
  fake()->Fail("plan", "local.custom.item23", Status::Error("twenty-three"));
  fake()->Fail("plan", "local.custom.item07", Status::Error("seven"));
  fake()->SetDelay(std::chrono::milliseconds(2));
  Result<Plan> p = MakePlan(desired_, prior_, registry_, PlanOptions{}, &diags_);
  ASSERT_TRUE(p.ok());
  std::vector<std::string> want = items;
  want.insert(want.begin(), "local.custom.base");
  EXPECT_EQ(Order(*p), want);
  for (const std::string& item : items) {
    const ResourceChange* c = Find(*p, item);
    ASSERT_NE(c, nullptr) << item;
    EXPECT_EQ(c->action, Action::kCreate);
    EXPECT_EQ(*c->after.Find("size"), Value(int64_t{3})) << item;
  }
  std::vector<std::string> errors;
  for (const Diagnostic& d : diags_.items()) errors.push_back(d.address + ": " + d.summary);
  EXPECT_EQ(errors, (std::vector<std::string>{"local.custom.item07: plan: seven",
                                              "local.custom.item23: plan: twenty-three"}));
  EXPECT_EQ(fake()->CallCount("plan"), 41);
  if (std::thread::hardware_concurrency() > 1) {
    EXPECT_GT(fake()->max_in_flight(), 1);
  }
}

TEST_F(PlannerTest, ReferenceToUnchangedResourceUsesItsLiveValue) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}, {"sha", Value("abc")}}));
  Have("local.file.b", Map({{"id", Value("2")}, {"path", Value("/b")}, {"content", Value("old")}}));
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.a.sha}")}}));
  Plan p = MakeOk();
  const ResourceChange* b = Find(p, "local.file.b");
  EXPECT_EQ(b->action, Action::kUpdate);
  EXPECT_EQ(*b->after.Find("content"), Value("abc"));
}

TEST_F(PlannerTest, UnknownValueInForceNewAttributeForcesReplacement) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}}));
  Have("local.file.b", Map({{"id", Value("2")}, {"path", Value("/x/1")}}));
  Want("local.file.a", Map({{"path", Value("/a2")}}));  // replaced: its id becomes unknown
  Want("local.file.b", Map({{"path", Value("/x/${local.file.a.id}")}}));
  Plan p = MakeOk();
  EXPECT_EQ(Find(p, "local.file.a")->action, Action::kDeleteThenCreate);
  EXPECT_EQ(Find(p, "local.file.b")->action, Action::kDeleteThenCreate);
}

TEST_F(PlannerTest, UnknownValueInOrdinaryAttributeIsAnUpdate) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}}));
  Have("local.file.b", Map({{"id", Value("2")}, {"path", Value("/b")}, {"content", Value("1")}}));
  Want("local.file.a", Map({{"path", Value("/a2")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.a.id}")}}));
  Plan p = MakeOk();
  EXPECT_EQ(Find(p, "local.file.b")->action, Action::kUpdate);
  EXPECT_TRUE(Find(p, "local.file.b")->after.Find("content")->is_unknown());
}

TEST_F(PlannerTest, ChangeOutsideCairnIsDriftAndPlannedBack) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}, {"content", Value("hi")}}));
  fake_->PutObject("local.file",
                   Map({{"id", Value("1")}, {"path", Value("/a")}, {"content", Value("edited")}}));
  Want("local.file.a", Map({{"path", Value("/a")}, {"content", Value("hi")}}));
  Plan p = MakeOk();
  ASSERT_EQ(p.drift.size(), 1u);
  EXPECT_EQ(*p.drift[0].before.Find("content"), Value("hi"));
  EXPECT_EQ(*p.drift[0].after.Find("content"), Value("edited"));
  EXPECT_EQ(p.changes[0].action, Action::kUpdate);
  EXPECT_EQ(*p.changes[0].before.Find("content"), Value("edited"));
  EXPECT_EQ(*p.refreshed.resources.at("local.file.a").attributes.Find("content"), Value("edited"));
}

TEST_F(PlannerTest, DeletionOutsideCairnIsDriftAndPlannedAsCreate) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}}));
  fake_->RemoveObject("local.file", "1");
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Plan p = MakeOk();
  ASSERT_EQ(p.drift.size(), 1u);
  EXPECT_TRUE(p.drift[0].after.is_null());
  EXPECT_EQ(p.changes[0].action, Action::kCreate);
  EXPECT_EQ(p.changes[0].reason, "deleted outside cairn");
  EXPECT_EQ(p.refreshed.resources.count("local.file.a"), 0u);
}

TEST_F(PlannerTest, RefreshReadsEachBatchTypeOnceAndOthersOneByOne) {
  for (int i = 0; i < 3; ++i) {
    std::string n = std::to_string(i);
    Have("local.dir.d" + n, Map({{"id", Value("d" + n)}, {"path", Value("/d" + n)}}));
    Have("local.file.f" + n, Map({{"id", Value("f" + n)}, {"path", Value("/f" + n)}}));
    Want("local.dir.d" + n, Map({{"path", Value("/d" + n)}}));
    Want("local.file.f" + n, Map({{"path", Value("/f" + n)}}));
  }
  Plan p = MakeOk();
  EXPECT_EQ(fake_->CallCount("read_all"), 1);
  EXPECT_EQ(fake_->CallCount("read"), 3);
  EXPECT_FALSE(p.HasChanges());
}

TEST_F(PlannerTest, RefreshReadsEachIdParentOnItsOwnAndAtOnce) {
  fake_->schema().resources.at("local.dir").read_all_by_id_parent = true;
  const std::pair<const char*, const char*> dirs[] = {
      {"a-x", "ns-a/x"}, {"a-y", "ns-a/y"}, {"b-x", "ns-b/x"}, {"lone", "lone"}};
  for (const auto& [name, id] : dirs) {
    Have(std::string("local.dir.") + name,
         Map({{"id", Value(id)}, {"path", Value(std::string("/") + id)}}));
    Want(std::string("local.dir.") + name, Map({{"path", Value(std::string("/") + id)}}));
  }
  fake_->RemoveObject("local.dir", "ns-b/x");
  fake_->SetDelay(std::chrono::milliseconds(100));  // so that the reads overlap
  Plan p = MakeOk();
  // "ns-a", "ns-b" and "" (an id without '/'): three reads, run side by side.
  EXPECT_EQ(fake_->CallCount("read_all"), 3);
  EXPECT_GE(fake_->max_in_flight(), 2);
  ASSERT_EQ(p.drift.size(), 1u);
  EXPECT_EQ(p.drift[0].address, "local.dir.b-x");
  EXPECT_EQ(p.refreshed.resources.count("local.dir.a-x"), 1u);
  EXPECT_EQ(p.refreshed.resources.count("local.dir.lone"), 1u);
}

TEST_F(PlannerTest, NoRefreshTrustsTheState) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}}));
  fake_->RemoveObject("local.file", "1");
  Want("local.file.a", Map({{"path", Value("/a")}}));
  PlanOptions opts;
  opts.refresh = false;
  Plan p = MakeOk(opts);
  EXPECT_EQ(fake_->calls().size(), 0u);
  EXPECT_EQ(p.changes[0].action, Action::kNoOp);
}

TEST_F(PlannerTest, ReferenceToUndeclaredResourceNamesTheReferrerAndPlace) {
  Value content("${local.file.nope.sha}");
  content.loc = SourceLoc{1, 9, 14};
  Want("local.file.nop", Map({{"path", Value("/n")}}));
  Want("local.file.a", Map({{"path", Value("/a")}, {"content", content}}));
  Result<Plan> p = MakePlan(desired_, prior_, registry_, {}, &diags_);
  ASSERT_EQ(diags_.error_count(), 1u);
  const Diagnostic& d = diags_.items()[0];
  EXPECT_EQ(d.address, "local.file.a");
  EXPECT_EQ(d.summary,
            "reference '${local.file.nope.sha}' names 'local.file.nope', which the blueprint does "
            "not declare");
  EXPECT_EQ(d.loc, (SourceLoc{1, 9, 14}));
  EXPECT_EQ(d.hint, "did you mean 'local.file.nop'?");
}

TEST_F(PlannerTest, CycleIsOneErrorListingTheWholeCycle) {
  Want("local.file.a", Map({{"path", Value("/a")}, {"content", Value("${local.file.b.sha}")}}));
  Want("local.file.b", Map({{"path", Value("/b")}}), {"local.file.c"});
  Want("local.file.c", Map({{"path", Value("/c")}, {"content", Value("${local.file.a.id}")}}));
  Result<Plan> p = MakePlan(desired_, prior_, registry_, {}, &diags_);
  ASSERT_EQ(diags_.error_count(), 1u);
  EXPECT_EQ(diags_.items()[0].summary,
            "dependency cycle: local.file.a -> local.file.b -> local.file.c -> local.file.a");
  EXPECT_FALSE(diags_.items()[0].hint.empty());
}

TEST_F(PlannerTest, StateResourceOfUnloadedProviderIsAnErrorWithHint) {
  state::ResourceState r;
  r.address = "cloud.vm.web";
  r.type = "cloud.vm";
  r.provider = "cloud";
  r.id = "vm-1";
  r.attributes = Map({{"id", Value("vm-1")}});
  prior_.resources[r.address] = r;
  Result<Plan> p = MakePlan(desired_, prior_, registry_, {}, &diags_);
  ASSERT_EQ(diags_.error_count(), 1u);
  EXPECT_NE(diags_.items()[0].summary.find("provider 'cloud' is not loaded"), std::string::npos);
  EXPECT_NE(diags_.items()[0].hint.find("add the 'cloud' provider"), std::string::npos);
}

TEST_F(PlannerTest, SensitiveAttributesAreListedAndMarked) {
  Want("local.file.a", Map({{"path", Value("/a")}, {"secret", Value("hunter2")}}));
  Plan p = MakeOk();
  EXPECT_EQ(p.changes[0].sensitive_paths, (std::vector<std::string>{"secret"}));
  EXPECT_TRUE(p.changes[0].after.Find("secret")->sensitive);
}

TEST_F(PlannerTest, ReadFailureIsReportedWithTheAddress) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}}));
  fake_->Fail("read", "local.file.a", Status::Error("permission denied", "run as root"));
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Result<Plan> p = MakePlan(desired_, prior_, registry_, {}, &diags_);
  ASSERT_EQ(diags_.error_count(), 1u);
  EXPECT_EQ(diags_.items()[0].summary, "read: permission denied");
  EXPECT_EQ(diags_.items()[0].address, "local.file.a");
  EXPECT_EQ(diags_.items()[0].hint, "run as root");
}

// The caller finishes expanding the blueprint while the providers read (before_diff): the
// refresh comes first, the desired resources are read only after the hook, and when the hook
// fails (an expansion error) the refresh's own errors are not added to it.
TEST_F(PlannerTest, BeforeDiffRunsAfterTheRefreshAndAFailureKeepsOnlyItsErrors) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}}));
  fake_->Fail("read", "local.file.a", Status::Error("permission denied"));
  PlanOptions opts;
  int reads_before_hook = -1;
  opts.before_diff = [&] {
    reads_before_hook = fake_->CallCount("read");
    diags_.Error(SourceLoc{}, "", "unknown attribute 'colour'");  // what an expansion reports
    return false;
  };
  Result<Plan> p = MakePlan(desired_, prior_, registry_, opts, &diags_);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(reads_before_hook, 1);
  ASSERT_EQ(diags_.error_count(), 1u);
  EXPECT_EQ(diags_.items()[0].summary, "unknown attribute 'colour'");
  EXPECT_TRUE(p->changes.empty());

  // The hook adds the desired resources; the plan then reads them and keeps the read error.
  diags_ = Diagnostics();
  opts.before_diff = [&] {
    Want("local.file.a", Map({{"path", Value("/a")}}));
    return true;
  };
  p = MakePlan(desired_, prior_, registry_, opts, &diags_);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(diags_.error_count(), 1u);
  EXPECT_EQ(diags_.items()[0].summary, "read: permission denied");
  ASSERT_EQ(p->changes.size(), 1u);
  EXPECT_EQ(p->changes[0].address, "local.file.a");
}

TEST_F(PlannerTest, FailedBatchReadIsOneErrorNotOnePerResource) {
  for (int i = 0; i < 3; ++i) {
    std::string n = std::to_string(i);
    Have("local.dir.d" + n, Map({{"id", Value("d" + n)}, {"path", Value("/d" + n)}}));
    Want("local.dir.d" + n, Map({{"path", Value("/d" + n)}}));
  }
  fake_->Fail("read_all", "", Status::Error("connection refused", "is the cluster up?"));
  Result<Plan> p = MakePlan(desired_, prior_, registry_, {}, &diags_);
  ASSERT_EQ(diags_.error_count(), 1u) << RenderDiagnostics(diags_, false);
  EXPECT_EQ(diags_.items()[0].summary, "reading 3 local.dir resources failed: connection refused");
  EXPECT_EQ(diags_.items()[0].hint, "is the cluster up?");
}

TEST_F(PlannerTest, FailedReadOfOneIdParentNamesIt) {
  fake_->schema().resources.at("local.dir").read_all_by_id_parent = true;
  for (const char* id : {"ns-a/x", "ns-a/y", "ns-b/x", "ns-b/y", "ns-b/z"}) {
    std::string name = id;
    name[name.find('/')] = '-';
    Have("local.dir." + name, Map({{"id", Value(id)}, {"path", Value(std::string("/") + id)}}));
    Want("local.dir." + name, Map({{"path", Value(std::string("/") + id)}}));
  }
  fake_->Fail("read_all", "", Status::Error("connection refused"));
  Result<Plan> p = MakePlan(desired_, prior_, registry_, {}, &diags_);
  ASSERT_EQ(diags_.error_count(), 2u) << RenderDiagnostics(diags_, false);
  std::vector<std::string> summaries;
  for (const Diagnostic& d : diags_.items()) summaries.push_back(d.summary);
  std::sort(summaries.begin(), summaries.end());
  EXPECT_EQ(summaries[0],
            "reading 2 local.dir resources with ids under ns-a/ failed: connection refused");
  EXPECT_EQ(summaries[1],
            "reading 3 local.dir resources with ids under ns-b/ failed: connection refused");
}

}  // namespace
}  // namespace cairn::plan
