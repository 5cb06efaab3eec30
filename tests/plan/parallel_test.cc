#include "engine/plan/parallel.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/thread_pool.h"
#include "tests/support/rendezvous.h"

namespace cairn::plan {
namespace {

TEST(ParallelForTest, RunsEveryIndexOnceOnTheCallerAndPooledThreads) {
  constexpr size_t kItems = 1000;
  std::vector<std::atomic<int>> runs(kItems);
  std::mutex mu;
  std::set<std::thread::id> threads;
  ParallelFor(kItems, 4, [&](size_t i) {
    ++runs[i];
    std::lock_guard<std::mutex> lock(mu);
    threads.insert(std::this_thread::get_id());
  });
  for (size_t i = 0; i < kItems; ++i) EXPECT_EQ(runs[i].load(), 1) << "index " << i;
  EXPECT_LE(threads.size(), 4u);
}

TEST(ParallelForTest, UsesParallelismThreadsAtOnceAndReusesThemNextTime) {
  constexpr int kThreads = 4;
  testing::Rendezvous first(kThreads);  // four items that wait for each other: four threads
  ParallelFor(kThreads, kThreads, [&](size_t) { EXPECT_TRUE(first.Arrive()); });
  size_t started = ThreadPool::Shared().thread_count();
  EXPECT_GE(started, static_cast<size_t>(kThreads - 1));  // the caller is the fourth
  testing::Rendezvous second(kThreads);
  ParallelFor(kThreads, kThreads, [&](size_t) { EXPECT_TRUE(second.Arrive()); });
  EXPECT_EQ(ThreadPool::Shared().thread_count(), started);
}

TEST(ParallelForTest, NestedCallsDoNotDeadlock) {
  constexpr size_t kOuter = 3, kInner = 3;
  std::atomic<size_t> met{0};
  testing::Rendezvous outer(kOuter);
  ParallelFor(kOuter, kOuter, [&](size_t) {
    ASSERT_TRUE(outer.Arrive());  // all outer items hold a thread while the inner ones run
    testing::Rendezvous inner(kInner);
    ParallelFor(kInner, kInner, [&](size_t) {
      if (inner.Arrive()) ++met;
    });
  });
  EXPECT_EQ(met.load(), kOuter * kInner);
}

}  // namespace
}  // namespace cairn::plan
