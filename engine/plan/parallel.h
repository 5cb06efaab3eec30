// A numbered list of independent tasks run on pooled threads and the caller's.
#pragma once

#include <cstddef>
#include <functional>

namespace cairn::plan {

/// Runs fn(0) .. fn(n-1) on at most `parallelism` threads (the caller's thread counts as one;
/// the others come from ThreadPool::Shared()), returning when all are done. fn must be
/// thread-safe for distinct indexes; it may itself call ParallelFor.
void ParallelFor(size_t n, int parallelism, const std::function<void(size_t)>& fn);

}  // namespace cairn::plan
