// Validation speed on a large blueprint. Disabled by default (timing is not asserted, only
// reported); run with --gtest_also_run_disabled_tests --gtest_filter='*Benchmark*'.
#include <chrono>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "engine/blueprint/blueprint.h"

namespace cairn::blueprint {
namespace {

std::string BigBlueprint(int resources) {
  std::string text = "cluster: {name: big}\nresources:\n";
  for (int i = 0; i < resources; ++i) {
    std::string n = std::to_string(i);
    text += "  local.file.f" + n + ":\n    path: /tmp/f" + n + "\n    content: hello " + n +
            "\n    mode: 420\n";
    if (i > 0) text += "    depends_on: [local.file.f" + std::to_string(i - 1) + "]\n";
  }
  return text;
}

TEST(BlueprintBenchmark, DISABLED_TenThousandResources) {
  std::string text = BigBlueprint(10000);
  Blueprint bp;
  Diagnostics diags;
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(LoadString("big.yaml", text, &bp, &diags));
  auto t1 = std::chrono::steady_clock::now();
  Validate(bp, &diags);  // the first call also compiles the embedded schema
  auto t2 = std::chrono::steady_clock::now();
  Diagnostics again;
  Validate(bp, &again);
  auto t3 = std::chrono::steady_clock::now();
  EXPECT_TRUE(diags.empty());
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf("load %.1f ms, first validate %.1f ms, second validate %.1f ms (%zu bytes)\n",
              ms(t0, t1), ms(t1, t2), ms(t2, t3), text.size());
}

}  // namespace
}  // namespace cairn::blueprint
