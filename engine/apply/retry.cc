#include "engine/apply/retry.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

namespace cairn::apply {

double BackoffDelay(int retry, double base, double max_delay, double retry_after, double unit) {
  // Doubling stops growing long before the cap matters; avoid overflowing pow for big counts.
  double cap = base * std::pow(2.0, std::clamp(retry - 1, 0, 40));
  cap = std::min(cap, max_delay);
  double delay = std::clamp(unit, 0.0, 1.0) * cap;
  return std::max(delay, retry_after);
}

double RandomUnit() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(gen);
}

bool SleepUnlessAborted(double seconds, const std::atomic<bool>* abort) {
  // Sliced so that a second Ctrl-C is noticed promptly even during a long Retry-After.
  constexpr auto kSlice = std::chrono::milliseconds(50);
  auto end = std::chrono::steady_clock::now() +
             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                 std::chrono::duration<double>(std::max(seconds, 0.0)));
  while (true) {
    if (abort != nullptr && abort->load()) return false;
    auto now = std::chrono::steady_clock::now();
    if (now >= end) return true;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kSlice, end - now));
  }
}

std::string FormatDuration(double seconds) {
  char buf[48];
  if (seconds < 60 && seconds != std::floor(seconds)) {
    std::snprintf(buf, sizeof buf, "%.2gs", seconds);
    return buf;
  }
  long s = std::lround(seconds);
  if (s < 60) return std::to_string(s) + "s";
  long h = s / 3600, m = (s % 3600) / 60, rest = s % 60;
  std::string out;
  if (h > 0) out += std::to_string(h) + "h";
  if (m > 0) out += std::to_string(m) + "m";
  if (rest > 0) out += std::to_string(rest) + "s";
  return out;
}

bool ParseDuration(const std::string& text, double* seconds) {
  if (text.empty()) return false;
  double total = 0;
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) return false;
    double n = 0;
    if (std::sscanf(text.substr(start, i - start).c_str(), "%lf", &n) != 1) return false;
    std::string unit;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) unit += text[i++];
    if (unit.empty() || unit == "s") {
      total += n;
    } else if (unit == "ms") {
      total += n / 1000;
    } else if (unit == "m") {
      total += n * 60;
    } else if (unit == "h") {
      total += n * 3600;
    } else {
      return false;
    }
    any = true;
    if (unit.empty() && i < text.size()) return false;  // "30 5m" and the like
  }
  if (!any || !(total > 0)) return false;
  *seconds = total;
  return true;
}

}  // namespace cairn::apply
