#include "tests/support/rendezvous.h"

#include <chrono>

namespace cairn::testing {

bool Rendezvous::Arrive(double seconds) {
  std::unique_lock<std::mutex> lock(mu_);
  if (++arrived_ >= expected_) {
    cv_.notify_all();
    return true;
  }
  return cv_.wait_for(lock, std::chrono::duration<double>(seconds),
                      [this] { return arrived_ >= expected_; });
}

}  // namespace cairn::testing
