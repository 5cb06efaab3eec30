// A fixed pool of worker threads running a numbered list of independent tasks.
#pragma once

#include <cstddef>
#include <functional>

namespace cairn::plan {

/// Runs fn(0) .. fn(n-1) on at most `parallelism` threads (the caller's thread counts as one),
/// returning when all are done. fn must be thread-safe for distinct indexes.
void ParallelFor(size_t n, int parallelism, const std::function<void(size_t)>& fn);

}  // namespace cairn::plan
