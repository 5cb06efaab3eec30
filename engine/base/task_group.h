// A set of tasks started on the thread pool that the starter waits for together.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

#include "engine/base/thread_pool.h"

namespace cairn {

/// Starts tasks on a ThreadPool (each on its own thread at once, never queued) and waits until
/// all of them have returned. Wait() is the only synchronisation it offers: whatever a task wrote
/// is visible to the thread that Wait() returned on. A task that throws ends the process (see
/// ThreadPool); the tasks cairn starts report failures through Status and Diagnostics instead.
class TaskGroup {
 public:
  explicit TaskGroup(ThreadPool* pool = &ThreadPool::Shared()) : pool_(pool) {}
  /// Waits for the tasks still running: they may use what the starter's frame owns.
  ~TaskGroup() { Wait(); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  /// Runs fn on a pooled thread, concurrently with the caller and the group's other tasks.
  /// Throws std::system_error (and starts nothing) if no thread can be started.
  void Start(std::function<void()> fn);

  /// Returns once every task started so far has returned (and its worker is idle again).
  void Wait();

 private:
  friend class ThreadPool;
  /// Called by the pool once a task of this group has returned.
  void Done();

  ThreadPool* const pool_;
  std::mutex mu_;
  std::condition_variable all_done_;
  size_t pending_ = 0;  // tasks started and not yet done; guarded by mu_
};

}  // namespace cairn
