#include "engine/plan/parallel.h"

#include <algorithm>
#include <atomic>

#include "engine/base/task_group.h"

namespace cairn::plan {

void ParallelFor(size_t n, int parallelism, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  size_t workers = std::min(n, static_cast<size_t>(std::max(parallelism, 1)));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  if (workers == 1) {
    work();
    return;
  }
  TaskGroup helpers;
  for (size_t w = 1; w < workers; ++w) helpers.Start(work);
  work();
  helpers.Wait();
}

}  // namespace cairn::plan
