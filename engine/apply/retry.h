// Retry policy for transient provider failures: exponential backoff with full jitter, never
// shorter than what the service asked for (Retry-After).
#pragma once

#include <atomic>
#include <functional>
#include <string>

namespace cairn::apply {

/// How long to wait before retry number `retry` (1 for the first retry): a uniformly random
/// point in [0, min(max_delay, base * 2^(retry-1))] chosen by `unit` (in [0, 1]), raised to
/// `retry_after` when the service named a longer wait. All values in seconds.
double BackoffDelay(int retry, double base, double max_delay, double retry_after, double unit);

/// A uniformly random number in [0, 1), from a per-thread generator.
double RandomUnit();

/// Sleeps for `seconds`, waking early (and returning false) once `abort` is set.
bool SleepUnlessAborted(double seconds, const std::atomic<bool>* abort);

/// "30s", "2.5s", "10m", "1h30m": a duration as a user writes it.
std::string FormatDuration(double seconds);

/// Parses "30s", "10m", "1h", "1h30m", "250ms" or a bare number of seconds; false when malformed
/// or not positive.
bool ParseDuration(const std::string& text, double* seconds);

}  // namespace cairn::apply
