// Measures applying many independent creates with a provider that does no I/O.
#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "engine/apply/applier.h"
#include "tests/apply/fake_journal.h"
#include "tests/plan/plan_fixture.h"

namespace cairn::apply {
namespace {

class ApplyPerfTest : public plan::PlanFixture, public ::testing::Test {};

TEST_F(ApplyPerfTest, TenThousandIndependentCreates) {
  const int n = 10000;
  for (int i = 0; i < n; ++i) {
    std::string name = "f" + std::to_string(i);
    Want("local.file." + name, Map({{"path", Value("/" + name)}, {"content", Value("x")}}));
  }
  plan::Plan p = MakeOk();
  fake_->set_record(false);
  FakeJournal journal;
  auto start = std::chrono::steady_clock::now();
  ApplyResult r = Apply(p, registry_, &journal, p.refreshed, ApplyOptions{});
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.done, static_cast<size_t>(n));
  EXPECT_EQ(r.state.resources.size(), static_cast<size_t>(n));
  EXPECT_EQ(journal.puts().size(), static_cast<size_t>(n));
  std::printf("Apply of %d independent creates (parallelism 10, in-memory journal): %.1f ms\n", n,
              ms);
}

}  // namespace
}  // namespace cairn::apply
