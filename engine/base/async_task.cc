#include "engine/base/async_task.h"

#include <utility>

namespace cairn {

AsyncTask::~AsyncTask() {
  if (valid()) wait();
}

AsyncTask& AsyncTask::operator=(AsyncTask&& other) noexcept {
  if (this == &other) return *this;
  if (valid()) wait();
  state_ = std::move(other.state_);
  return *this;
}

AsyncTask AsyncTask::Start(std::function<void()> fn) {
  AsyncTask t;
  t.state_ = std::make_unique<State>();
  State* s = t.state_.get();  // stays put when t is moved: the task keeps this pointer
  s->group.Start([s, fn = std::move(fn)] {
    try {
      fn();
    } catch (...) {
      s->error = std::current_exception();
    }
  });
  return t;
}

void AsyncTask::wait() const { state_->group.Wait(); }

void AsyncTask::get() {
  wait();
  std::unique_ptr<State> s = std::move(state_);
  if (s->error) std::rethrow_exception(s->error);
}

}  // namespace cairn
