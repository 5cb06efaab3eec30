// A meeting point for a fixed number of threads, for tests that must prove code runs its tasks
// concurrently: if fewer threads ever arrive, Arrive gives up after a deadline and says so, so
// that a test of "never queued" fails instead of hanging.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace cairn::testing {

/// Counts arrivals; everyone waits until `expected` threads are there.
class Rendezvous {
 public:
  explicit Rendezvous(size_t expected) : expected_(expected) {}
  Rendezvous(const Rendezvous&) = delete;
  Rendezvous& operator=(const Rendezvous&) = delete;

  /// Arrives and waits for the others; false if they were not all there within `seconds` (a
  /// generous hang guard, not a timing goal).
  bool Arrive(double seconds = 60);

 private:
  const size_t expected_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t arrived_ = 0;
};

}  // namespace cairn::testing
