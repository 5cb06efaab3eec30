// A pool of reusable worker threads, so that a parallel step does not pay for creating threads
// and (with mimalloc, which collects an exiting thread's heap) for tearing them down again.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cairn {

class TaskGroup;

/// Runs each submitted function at once on a thread of its own: an idle worker if there is one,
/// otherwise a new worker. A task is never queued behind another, so tasks may wait for each
/// other (a barrier, a ready queue) and a task may itself start and wait for tasks (nested
/// ParallelFor) without deadlock. A worker that finishes its task waits, idle, for the next.
///
/// Tasks must not throw: an exception leaving a task ends the process through std::terminate,
/// as one leaving a std::thread's function does (AsyncTask catches them for its caller).
///
/// There is no bound on the number of workers: callers bound their own concurrency (a
/// ParallelFor's parallelism, apply's --parallelism), and the pool keeps as many workers as were
/// ever busy at once. A thread_local in code that tasks run lives on from one task to the next
/// on the same worker, so it may cache (a scratch buffer, a random generator) but must not carry
/// one task's data into another's.
///
/// Most callers use Shared() through a TaskGroup or AsyncTask.
class ThreadPool {
 public:
  ThreadPool() = default;
  /// Wakes the idle workers, lets running tasks finish, and joins every worker.
  /// REQUIRES: no Run() concurrent with it or after it.
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// The process-wide pool. It is never destroyed and its workers are never joined: cairn leaves
  /// with std::_Exit, and a program that returns from main() or calls exit() must not wait at
  /// static destruction for a worker (which may be inside a task, or use objects already
  /// destroyed); idle workers simply end with the process.
  static ThreadPool& Shared();

  /// Runs fn on an idle or a new worker; `group` (may be null) is told once fn has returned and
  /// its worker is idle again, so that the next task started after group->Wait() finds it.
  /// Throws std::system_error (and runs nothing) if a new thread is needed and cannot start.
  void Run(std::function<void()> fn, TaskGroup* group = nullptr);

  /// Workers started so far (running or idle), for tests and diagnostics.
  size_t thread_count() const;
  /// Workers waiting for a task.
  size_t idle_count() const;

 private:
  /// One worker thread and the task handed to it.
  struct Worker {
    std::thread thread;
    std::condition_variable wake;  // signalled when a task is handed over, or at shutdown
    std::function<void()> task;    // the next task to run; guarded by mu_
    TaskGroup* group = nullptr;    // told when task is done; guarded by mu_
  };

  void Loop(Worker* w);

  mutable std::mutex mu_;  // guards everything below and every Worker's task and group
  std::vector<std::unique_ptr<Worker>> all_;  // every worker ever started
  std::vector<Worker*> idle_;                 // workers waiting on their `wake`
  bool stopping_ = false;                     // set by the destructor
};

}  // namespace cairn
