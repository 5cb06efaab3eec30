// Measures planning a large unchanged infrastructure; prints the time so regressions are visible.
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "engine/plan/render.h"
#include "tests/plan/plan_fixture.h"

namespace cairn::plan {
namespace {

class PlanPerfTest : public PlanFixture, public ::testing::Test {};

TEST_F(PlanPerfTest, TenThousandUnchangedResourcesWithBatchRead) {
  const int n = 10000;
  for (int i = 0; i < n; ++i) {
    std::string name = "d" + std::to_string(i);
    Have("local.dir." + name,
         Map({{"id", Value(name)}, {"path", Value("/" + name)}, {"owner", Value("root")}}));
    Want("local.dir." + name, Map({{"path", Value("/" + name)}, {"owner", Value("root")}}));
  }
  auto start = std::chrono::steady_clock::now();
  Plan p = MakeOk();
  std::string text = RenderPlan(p, false);
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(p.changes.size(), static_cast<size_t>(n));
  EXPECT_FALSE(p.HasChanges());
  EXPECT_EQ(fake_->CallCount("read_all"), 1);
  EXPECT_EQ(text, "No changes. Your infrastructure matches the blueprint.\n");
  std::printf("MakePlan+RenderPlan of %d unchanged resources: %.1f ms\n", n, ms);
}

}  // namespace
}  // namespace cairn::plan
