// Saved plans round-trip everything apply needs, and staleness is explained; partial and
// refresh-only planning.
#include "engine/plan/plan_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "engine/base/json.h"
#include "tests/plan/plan_fixture.h"
#include "tests/support/test_support.h"

namespace cairn::plan {
namespace {

class PlanFileTest : public PlanFixture, public ::testing::Test {};

TEST_F(PlanFileTest, RoundTripKeepsUnknownsSecretsAndReferences) {
  Have("local.file.a", Map({{"id", Value("1")},
                            {"path", Value("/a")},
                            {"sha", Value("abc")},
                            {"secret", Value("x")}}));
  Want("local.file.a", Map({{"path", Value("/a")}, {"secret", Value("s3cr3t")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"content", Value("${local.file.a.sha}")}}));
  PlanFile f;
  f.plan = MakeOk();
  f.fingerprint = {"lin", 7, "bp", "desired", {{"local", "1.0.0"}}};
  f.targets = {"local.file.b"};

  std::string text = PlanFileToJson(f);
  EXPECT_NE(text.find("s3cr3t"), std::string::npos) << "apply needs the secret";
  Result<PlanFile> back = PlanFileFromJson(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->fingerprint.serial, 7u);
  EXPECT_EQ(back->fingerprint.plugins[0].version, "1.0.0");
  EXPECT_EQ(back->targets, f.targets);
  ASSERT_EQ(back->plan.changes.size(), 2u);
  const ResourceChange* a = Find(back->plan, "local.file.a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->action, Action::kUpdate);
  EXPECT_TRUE(a->after.Find("secret")->sensitive) << "sensitivity restored from the paths";
  const ResourceChange* b = Find(back->plan, "local.file.b");
  EXPECT_EQ(b->action, Action::kCreate);
  EXPECT_TRUE(b->after.Find("id")->is_unknown());
  EXPECT_EQ(*b->config.Find("content"), Value("${local.file.a.sha}"));
  EXPECT_EQ(back->plan.refreshed.resources.size(), 1u);
  EXPECT_EQ(back->plan.refreshed.lineage, "test");
}

TEST_F(PlanFileTest, CarriesTheGitCommitOnlyWhenThereIsOne) {
  PlanFile f;
  f.plan = MakeOk();
  f.commit = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
  f.dirty = true;
  Result<PlanFile> back = PlanFileFromJson(PlanFileToJson(f));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->commit, f.commit);
  EXPECT_TRUE(back->dirty);
  f.commit = "";
  std::string outside_git = PlanFileToJson(f);
  EXPECT_EQ(outside_git.find("\"git\""), std::string::npos) << outside_git;
  EXPECT_EQ(PlanFileFromJson(outside_git)->commit, "");
}

TEST_F(PlanFileTest, FileIsPrivateAndRejectsOtherJson) {
  testing::TempDir dir;
  PlanFile f;
  f.plan = MakeOk();
  ASSERT_TRUE(WritePlanFile(dir.Join("p.plan"), f).ok());
  struct stat st;
  ASSERT_EQ(stat(dir.Join("p.plan").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  testing::WriteFile(dir.Join("state.json"), "{\"format_version\": 1, \"lineage\": \"x\"}");
  Result<PlanFile> wrong = ReadPlanFile(dir.Join("state.json"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("does not say it is a cairn plan"), std::string::npos);
  Result<PlanFile> missing = ReadPlanFile(dir.Join("nope.plan"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().hint().find("cairn plan -out"), std::string::npos);

  testing::WriteFile(dir.Join("new.plan"), "{\"kind\": \"cairn-plan\", \"format_version\": 99}");
  Result<PlanFile> newer = ReadPlanFile(dir.Join("new.plan"));
  ASSERT_FALSE(newer.ok());
  EXPECT_NE(newer.status().message().find("newer than this cairn"), std::string::npos);
}

TEST(StaleReasonsTest, NamesEachDifference) {
  PlanFingerprint saved{"L", 3, "bp1", "d1", {{"local", "1.0.0"}, {"old", "2"}}};
  EXPECT_TRUE(StaleReasons(saved, saved).empty());

  PlanFingerprint now = saved;
  now.serial = 4;
  now.blueprint_sha256 = "bp2";
  now.plugins = {{"local", "1.1.0"}, {"new", "1"}};
  std::vector<std::string> r = StaleReasons(saved, now);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0], "the state serial moved from 3 to 4 (something was applied since)");
  EXPECT_EQ(r[1], "the blueprint changed since the plan was made");
  EXPECT_EQ(r[2], "plugin local version changed from 1.0.0 to 1.1.0");
  EXPECT_EQ(r[3], "plugin old is no longer loaded");
  EXPECT_EQ(r[4], "plugin new was added since the plan was made");

  now = saved;
  now.lineage = "M";
  EXPECT_NE(StaleReasons(saved, now)[0].find("lineage differs"), std::string::npos);
  now = saved;
  now.desired_sha256 = "d2";
  EXPECT_NE(StaleReasons(saved, now)[0].find("resources the blueprint asks for changed"),
            std::string::npos);
}

TEST_F(PlanFileTest, DesiredDigestChangesWithASecretButNotWithOrder) {
  Want("local.file.a", Map({{"path", Value("/a")}}));
  Want("local.file.b", Map({{"path", Value("/b")}, {"secret", Value("one")}}));
  std::string d1 = DesiredDigest(desired_);
  std::swap(desired_[0], desired_[1]);
  EXPECT_EQ(DesiredDigest(desired_), d1);
  desired_[0].attributes["secret"] = Value("two");
  EXPECT_NE(DesiredDigest(desired_), d1);
}

TEST_F(PlanFileTest, TargetKeepsItsDependenciesOnly) {
  Want("local.dir.d", Map({{"path", Value("/d")}}));
  Want("local.file.a", Map({{"path", Value("/d/a")}}), {"local.dir.d"});
  Want("local.file.b", Map({{"path", Value("/d/b")}}), {"local.dir.d"});
  Have("local.file.orphan", Map({{"id", Value("9")}, {"path", Value("/o")}}));
  PlanOptions o;
  o.targets = {"local.file.a"};
  Plan p = MakeOk(o);
  EXPECT_EQ(Order(p), (std::vector<std::string>{"local.dir.d", "local.file.a"}));
}

TEST_F(PlanFileTest, DestroyTargetTakesItsDependentsAlong) {
  Have("local.dir.d", Map({{"id", Value("1")}, {"path", Value("/d")}}));
  Have("local.file.a", Map({{"id", Value("2")}, {"path", Value("/d/a")}}), {"local.dir.d"});
  Have("local.file.other", Map({{"id", Value("3")}, {"path", Value("/o")}}));
  PlanOptions o;
  o.destroy = true;
  o.targets = {"local.dir.d"};
  Plan p = MakeOk(o);
  EXPECT_EQ(Order(p), (std::vector<std::string>{"local.file.a", "local.dir.d"}));
}

TEST_F(PlanFileTest, UnknownTargetIsAnErrorWithASuggestion) {
  Want("local.file.motd", Map({{"path", Value("/m")}}));
  PlanOptions o;
  o.targets = {"local.file.mtod"};
  Result<Plan> p = MakePlan(desired_, prior_, registry_, o, &diags_);
  ASSERT_TRUE(diags_.has_errors());
  EXPECT_NE(diags_.items()[0].summary.find("neither in the blueprint nor in the state"),
            std::string::npos);
  EXPECT_NE(diags_.items()[0].hint.find("local.file.motd"), std::string::npos);
}

TEST_F(PlanFileTest, RefreshOnlyPlansDriftAndNoChanges) {
  Have("local.file.a", Map({{"id", Value("1")}, {"path", Value("/a")}, {"mode", Value("0644")}}));
  fake()->PutObject("local.file",
                    Map({{"id", Value("1")}, {"path", Value("/a")}, {"mode", Value("0600")}}));
  Want("local.file.b", Map({{"path", Value("/b")}}));  // would be a create
  PlanOptions o;
  o.refresh_only = true;
  Plan p = MakeOk(o);
  EXPECT_TRUE(p.changes.empty());
  ASSERT_EQ(p.drift.size(), 1u);
  EXPECT_EQ(*p.refreshed.Find("local.file.a")->attributes.Find("mode"), Value("0600"));
}

}  // namespace
}  // namespace cairn::plan
