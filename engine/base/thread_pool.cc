#include "engine/base/thread_pool.h"

#include "engine/base/task_group.h"

namespace cairn {

ThreadPool& ThreadPool::Shared() {
  static ThreadPool* pool = new ThreadPool;  // never destroyed: see the header
  return *pool;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (const std::unique_ptr<Worker>& w : all_) w->wake.notify_one();
  }
  for (const std::unique_ptr<Worker>& w : all_) w->thread.join();
}

void ThreadPool::Run(std::function<void()> fn, TaskGroup* group) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!idle_.empty()) {
    Worker* w = idle_.back();  // the most recently used: its stack and heap are warm
    idle_.pop_back();
    w->task = std::move(fn);
    w->group = group;
    w->wake.notify_one();  // under mu_, so the worker cannot miss it between its check and wait
    return;
  }
  // Started under mu_: the new worker's first look at its task waits until this is done.
  all_.push_back(std::make_unique<Worker>());
  Worker* w = all_.back().get();
  w->task = std::move(fn);
  w->group = group;
  try {
    w->thread = std::thread([this, w] { Loop(w); });
  } catch (...) {  // no thread could be started: the task is dropped, the caller told
    all_.pop_back();
    throw;
  }
}

void ThreadPool::Loop(Worker* w) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    w->wake.wait(lock, [&] { return w->task != nullptr || stopping_; });
    if (w->task == nullptr) return;  // stopping, and nothing was handed over
    std::function<void()> task = std::move(w->task);
    w->task = nullptr;
    TaskGroup* group = w->group;
    w->group = nullptr;
    lock.unlock();
    task();
    task = nullptr;  // what it captured is released before its group hears it is done
    lock.lock();
    idle_.push_back(w);
    if (group == nullptr) continue;
    lock.unlock();
    group->Done();
    lock.lock();
  }
}

size_t ThreadPool::thread_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return all_.size();
}

size_t ThreadPool::idle_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_.size();
}

}  // namespace cairn
