// One function run on the thread pool whose end is awaited like a std::async future's.
#pragma once

#include <exception>
#include <functional>
#include <memory>

#include "engine/base/task_group.h"

namespace cairn {

/// What std::async(std::launch::async, fn) gives, on a pooled thread instead of a new one: the
/// function starts at once; wait() and get() block until it has returned; get() rethrows what
/// it threw; and, like std::async's future, destroying or assigning over a valid AsyncTask waits
/// for its function first, so it may safely use the owner's members.
class AsyncTask {
 public:
  AsyncTask() = default;
  ~AsyncTask();
  AsyncTask(AsyncTask&& other) noexcept = default;
  AsyncTask& operator=(AsyncTask&& other) noexcept;

  /// Runs fn on ThreadPool::Shared().
  static AsyncTask Start(std::function<void()> fn);

  /// True from Start until get().
  bool valid() const { return state_ != nullptr; }
  /// REQUIRES: valid(). Blocks until the function has returned.
  void wait() const;
  /// REQUIRES: valid(). Waits, then rethrows the function's exception if it threw; no longer
  /// valid() afterwards.
  void get();

 private:
  struct State {
    TaskGroup group;
    std::exception_ptr error;  // written by the task, read after group.Wait()
  };
  std::unique_ptr<State> state_;
};

}  // namespace cairn
