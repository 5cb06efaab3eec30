#include "engine/base/task_group.h"

namespace cairn {

void TaskGroup::Start(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++pending_;
  }
  try {
    pool_->Run(std::move(fn), this);
  } catch (...) {
    Done();
    throw;
  }
}

void TaskGroup::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  all_done_.wait(lock, [this] { return pending_ == 0; });
}

void TaskGroup::Done() {
  // Notified under mu_: once the waiter can see pending_ == 0 it may destroy this group, so
  // nothing here may touch it after the unlock.
  std::lock_guard<std::mutex> lock(mu_);
  if (--pending_ == 0) all_done_.notify_all();
}

}  // namespace cairn
