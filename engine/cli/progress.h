// What apply shows while it runs: on a terminal a live status area (one line per resource in
// flight with its elapsed time, and a counter) under the lines of finished steps, redrawn by the
// ticker every quarter of a second; on a pipe one plain line per event (written out by the
// ticker, not line by line), plus a "Still creating... [10s elapsed]" line every 10 s of a long
// step.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/apply/applier.h"

namespace cairn::cli {

/// How the progress display behaves; tests replace the stream, the clock and the ticker.
struct ProgressOptions {
  bool color = false;
  bool live = false;            // a terminal: keep a redrawn status area at the bottom
  int width = 80;               // terminal columns; status lines are cut to fit
  std::ostream* out = nullptr;  // default std::cout
  bool ticker = true;           // a thread calls Tick() a few times a second
  std::function<std::chrono::steady_clock::time_point()> now;  // default steady_clock::now
  /// Interrupts received so far (signals.h); a live display prints the notice itself.
  std::function<int()> interrupts;
};

/// Turns apply events into lines such as "local.file.motd: Creating..." and
/// "local.file.motd: Creation complete after 0.2s", live or plain.
class ProgressPrinter {
 public:
  /// Writes to stdout, live when stdout is a terminal (and TERM is not "dumb").
  ProgressPrinter(bool color, size_t total);
  ProgressPrinter(ProgressOptions opts, size_t total);
  ~ProgressPrinter();
  ProgressPrinter(const ProgressPrinter&) = delete;
  ProgressPrinter& operator=(const ProgressPrinter&) = delete;

  void OnEvent(const apply::ApplyEvent& e);
  void OnRetry(const apply::RetryEvent& e);
  /// Redraws the status area (live) or notes long steps (plain).
  void Tick();
  /// Removes the status area and stops the ticker; call before printing the final report.
  void Finish();

 private:
  /// A step that started and has not finished.
  struct InFlight {
    std::string address;
    plan::Action action = plan::Action::kNoOp;
    std::chrono::steady_clock::time_point start;
    int next_note = 10;  // plain mode: seconds at which the next "Still ..." line is due
    std::string retry;   // "retrying in 2.3s (attempt 2/5)" while waiting to retry
  };

  std::chrono::steady_clock::time_point Now() const;
  // Whether a terminal display leaves its redraws to the ticker: one redraw per event would
  // hold every apply worker behind the terminal when hundreds of steps finish each second.
  bool Batched() const { return opts_.live && opts_.ticker; }
  // REQUIRES: mu_ held. Prints one line above the status area (or plainly).
  void PrintLine(const std::string& line);
  void EraseStatus();
  void DrawStatus();
  void CheckInterrupts();
  void RunTicker();

  ProgressOptions opts_;
  std::ostream* out_;
  size_t total_;
  std::mutex mu_;
  std::vector<InFlight> in_flight_;  // in start order
  size_t done_ = 0, failed_ = 0, skipped_ = 0;
  size_t drawn_ = 0;     // status lines on screen
  std::string pending_;  // Batched(): finished lines the next tick prints above the status area
  int interrupts_seen_ = 0;
  bool finished_ = false;
  std::mutex tick_mu_;
  std::condition_variable tick_cv_;
  bool stop_ticker_ = false;
  std::thread ticker_;
};

}  // namespace cairn::cli
