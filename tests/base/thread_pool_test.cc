#include "engine/base/thread_pool.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "engine/base/async_task.h"
#include "engine/base/task_group.h"
#include "tests/support/rendezvous.h"

namespace cairn {
namespace {

using testing::Rendezvous;

// The ids of the threads that ran a group's tasks.
struct ThreadIds {
  std::mutex mu;
  std::set<std::thread::id> ids;
  void Add() {
    std::lock_guard<std::mutex> lock(mu);
    ids.insert(std::this_thread::get_id());
  }
};

TEST(ThreadPoolTest, TasksThatWaitForEachOtherAllRunAtOnce) {
  ThreadPool pool;
  constexpr size_t kTasks = 16;
  Rendezvous all(kTasks);
  std::atomic<size_t> met{0};
  TaskGroup group(&pool);
  for (size_t i = 0; i < kTasks; ++i)
    group.Start([&] {
      if (all.Arrive()) ++met;
    });
  group.Wait();
  EXPECT_EQ(met.load(), kTasks);  // a queued task would have left the others waiting
  EXPECT_EQ(pool.thread_count(), kTasks);
}

TEST(ThreadPoolTest, ALaterGroupReusesTheIdleWorkers) {
  ThreadPool pool;
  constexpr size_t kTasks = 4;
  ThreadIds first;
  {
    Rendezvous all(kTasks);  // all four at once, so four distinct workers
    TaskGroup group(&pool);
    for (size_t i = 0; i < kTasks; ++i)
      group.Start([&] {
        first.Add();
        all.Arrive();
      });
    group.Wait();
  }
  ASSERT_EQ(first.ids.size(), kTasks);
  EXPECT_EQ(pool.idle_count(), kTasks);

  ThreadIds second;
  {
    Rendezvous all(kTasks);
    TaskGroup group(&pool);
    for (size_t i = 0; i < kTasks; ++i)
      group.Start([&] {
        second.Add();
        all.Arrive();
      });
    group.Wait();
  }
  EXPECT_EQ(second.ids, first.ids);
  // One task at a time, each started after the previous group's Wait: always a reused worker.
  ThreadIds sequential;
  for (int round = 0; round < 20; ++round) {
    TaskGroup group(&pool);
    group.Start([&] { sequential.Add(); });
    group.Wait();
  }
  for (std::thread::id id : sequential.ids) EXPECT_EQ(first.ids.count(id), 1u);
  EXPECT_EQ(pool.thread_count(), kTasks);
}

TEST(ThreadPoolTest, NestedGroupsDoNotDeadlock) {
  ThreadPool pool;
  constexpr size_t kOuter = 4, kInner = 4;
  std::atomic<size_t> inner_met{0};
  Rendezvous outer_all(kOuter);  // every outer task is running (and holding a worker) ...
  TaskGroup outer(&pool);
  for (size_t i = 0; i < kOuter; ++i)
    outer.Start([&] {
      outer_all.Arrive();
      // ... when each starts tasks of its own that must also all run at once.
      Rendezvous inner_all(kInner);
      TaskGroup inner(&pool);
      for (size_t j = 0; j < kInner; ++j)
        inner.Start([&] {
          if (inner_all.Arrive()) ++inner_met;
        });
      inner.Wait();
    });
  outer.Wait();
  EXPECT_EQ(inner_met.load(), kOuter * kInner);
}

TEST(ThreadPoolTest, WaitReturnsOnlyAfterEveryTaskHasFinished) {
  ThreadPool pool;
  constexpr size_t kTasks = 8;
  std::atomic<size_t> finished{0};
  std::atomic<bool> last_may_finish{false};
  std::atomic<bool> wait_returned{false};
  std::vector<int> results(kTasks, 0);  // plain writes, read after Wait
  TaskGroup group(&pool);
  for (size_t i = 0; i < kTasks; ++i)
    group.Start([&, i] {
      if (i == kTasks - 1)
        while (!last_may_finish.load()) std::this_thread::yield();
      results[i] = static_cast<int>(i) + 1;
      ++finished;
    });
  std::thread waiter([&] {
    group.Wait();
    wait_returned.store(true);
  });
  while (finished.load() < kTasks - 1) std::this_thread::yield();
  // Every task but the last is done. A Wait that returned early gets a moment to show it; a
  // correct one cannot return before last_may_finish, so this never fails on a slow machine.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(wait_returned.load());
  last_may_finish.store(true);
  waiter.join();
  EXPECT_TRUE(wait_returned.load());
  EXPECT_EQ(finished.load(), kTasks);
  for (size_t i = 0; i < kTasks; ++i) EXPECT_EQ(results[i], static_cast<int>(i) + 1);
}

TEST(ThreadPoolTest, AGroupWaitsForItsTasksWhenDestroyed) {
  ThreadPool pool;
  std::atomic<bool> go{false};
  std::atomic<int> done{0};
  {
    TaskGroup group(&pool);
    for (int i = 0; i < 3; ++i)
      group.Start([&] {
        while (!go.load()) std::this_thread::yield();
        ++done;
      });
    go.store(true);
  }
  EXPECT_EQ(done.load(), 3);
}

TEST(ThreadPoolTest, TheSharedPoolIsOneProcessWidePool) {
  ThreadPool& shared = ThreadPool::Shared();
  EXPECT_EQ(&shared, &ThreadPool::Shared());
  Rendezvous all(3);
  TaskGroup group;  // on the shared pool
  for (int i = 0; i < 3; ++i) group.Start([&] { all.Arrive(); });
  group.Wait();
  EXPECT_GE(shared.thread_count(), 3u);
  EXPECT_GE(shared.idle_count(), 3u);
}

TEST(AsyncTaskTest, GetWaitsAndRethrowsWhatTheFunctionThrew) {
  AsyncTask ok = AsyncTask::Start([] {});
  EXPECT_TRUE(ok.valid());
  ok.get();
  EXPECT_FALSE(ok.valid());

  AsyncTask bad = AsyncTask::Start([] { throw std::runtime_error("boom"); });
  try {
    bad.get();
    ADD_FAILURE() << "get() did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
  EXPECT_FALSE(bad.valid());
}

TEST(AsyncTaskTest, DestroyingOrReplacingATaskWaitsForItsFunction) {
  std::atomic<bool> go{false};
  std::atomic<int> done{0};
  auto slow = [&] {
    while (!go.load()) std::this_thread::yield();
    ++done;
  };
  {
    AsyncTask t = AsyncTask::Start(slow);
    AsyncTask releaser = AsyncTask::Start([&] { go.store(true); });
    t = AsyncTask::Start([&] { ++done; });  // waits for the first function before replacing it
    EXPECT_GE(done.load(), 1);
  }
  EXPECT_EQ(done.load(), 2);
}

}  // namespace
}  // namespace cairn
