#include "engine/cli/progress.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <sys/ioctl.h>
#include <unistd.h>

#include "engine/base/term.h"
#include "engine/cli/signals.h"

namespace cairn::cli {
namespace {

// How often the ticker wakes: often enough that a Ctrl-C notice shows promptly.
constexpr auto kTickEvery = std::chrono::milliseconds(250);
// A plain line is printed for a long step every this many seconds.
constexpr int kNoteEvery = 10;
// Resources listed in the status area; the rest are counted.
constexpr size_t kMaxShown = 10;

struct Verbs {
  const char* doing;
  const char* still;
  const char* done;
};

Verbs VerbsFor(plan::Action a) {
  switch (a) {
    case plan::Action::kCreate: return {"Creating...", "Still creating...", "Creation complete"};
    case plan::Action::kUpdate:
      return {"Modifying...", "Still modifying...", "Modifications complete"};
    case plan::Action::kDelete:
      return {"Destroying...", "Still destroying...", "Destruction complete"};
    case plan::Action::kDeleteThenCreate:
    case plan::Action::kCreateThenDelete:
      return {"Replacing...", "Still replacing...", "Replacement complete"};
    case plan::Action::kNoOp: break;
  }
  return {"Working...", "Still working...", "Complete"};
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.1fs" : "%.0fs", s);
  return buf;
}

// Cuts `s` to `width` columns (bytes: addresses and messages here are ASCII in practice).
std::string Fit(std::string s, int width) {
  if (width > 4 && s.size() > static_cast<size_t>(width)) s = s.substr(0, width - 3) + "...";
  return s;
}

bool StdoutIsLiveTerminal(int* width) {
  if (!isatty(STDOUT_FILENO)) return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::strcmp(term, "dumb") == 0) return false;
  struct winsize ws;
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) *width = ws.ws_col;
  return true;
}

ProgressOptions StdoutOptions(bool color) {
  ProgressOptions o;
  o.color = color;
  o.live = StdoutIsLiveTerminal(&o.width);
  o.interrupts = InterruptsReceived;
  return o;
}

}  // namespace

ProgressPrinter::ProgressPrinter(bool color, size_t total)
    : ProgressPrinter(StdoutOptions(color), total) {}

ProgressPrinter::ProgressPrinter(ProgressOptions opts, size_t total)
    : opts_(std::move(opts)), out_(opts_.out ? opts_.out : &std::cout), total_(total) {
  if (opts_.interrupts) interrupts_seen_ = opts_.interrupts();
  // A live display prints the Ctrl-C notices itself, between its redraws.
  if (opts_.live) SetInterruptNoticesQuiet(true);
  if (opts_.ticker) ticker_ = std::thread([this] { RunTicker(); });
}

ProgressPrinter::~ProgressPrinter() { Finish(); }

std::chrono::steady_clock::time_point ProgressPrinter::Now() const {
  return opts_.now ? opts_.now() : std::chrono::steady_clock::now();
}

void ProgressPrinter::RunTicker() {
  std::unique_lock<std::mutex> lock(tick_mu_);
  while (!tick_cv_.wait_for(lock, kTickEvery, [this] { return stop_ticker_; })) {
    lock.unlock();
    Tick();
    lock.lock();
  }
}

void ProgressPrinter::Finish() {
  {
    std::lock_guard<std::mutex> lock(tick_mu_);
    stop_ticker_ = true;
  }
  tick_cv_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  CheckInterrupts();
  EraseStatus();
  *out_ << pending_ << std::flush;
  pending_.clear();
  finished_ = true;
  if (opts_.live) SetInterruptNoticesQuiet(false);
}

void ProgressPrinter::EraseStatus() {
  if (drawn_ == 0) return;
  // Back to the first status line, then clear to the end of the screen.
  *out_ << "\r\x1b[" << drawn_ << "A\x1b[J";
  drawn_ = 0;
}

void ProgressPrinter::DrawStatus() {
  if (!opts_.live || finished_) return;
  Style st(opts_.color);
  auto now = Now();
  size_t shown = 0;
  for (const InFlight& f : in_flight_) {
    if (shown == kMaxShown) break;
    long secs = static_cast<long>(std::chrono::duration<double>(now - f.start).count());
    std::string line = "  " + f.address + ": " + VerbsFor(f.action).doing + " [" +
                       std::to_string(secs) + "s elapsed]";
    if (!f.retry.empty()) line += " " + f.retry;
    *out_ << st.Dim(Fit(line, opts_.width - 1)) << "\n";
    ++shown;
  }
  if (in_flight_.size() > shown)
    *out_ << st.Dim("  ... and " + std::to_string(in_flight_.size() - shown) + " more") << "\n",
        ++shown;
  std::string counter = std::to_string(done_) + "/" + std::to_string(total_) + " done, " +
                        std::to_string(in_flight_.size()) + " in progress, " +
                        std::to_string(failed_) + " failed";
  if (skipped_ > 0) counter += ", " + std::to_string(skipped_) + " skipped";
  *out_ << st.Bold(Fit(counter, opts_.width - 1)) << "\n";
  drawn_ = shown + 1;
}

void ProgressPrinter::PrintLine(const std::string& line) {
  if (Batched() && !finished_) {
    pending_ += line;
    pending_ += '\n';
    return;
  }
  EraseStatus();
  *out_ << line << "\n";
  DrawStatus();
  // On a pipe the ticker flushes what was printed a quarter of a second later at the latest:
  // a write per line would cost more than the step itself when hundreds finish each second.
  if (opts_.live || !opts_.ticker) *out_ << std::flush;
}

void ProgressPrinter::CheckInterrupts() {
  if (!opts_.live || !opts_.interrupts) return;
  int n = opts_.interrupts();
  Style st(opts_.color);
  while (interrupts_seen_ < n) {
    ++interrupts_seen_;
    PrintLine(st.Yellow(interrupts_seen_ == 1 ? kFirstInterruptNotice : kSecondInterruptNotice));
  }
}

void ProgressPrinter::OnEvent(const apply::ApplyEvent& e) {
  Style st(opts_.color);
  std::lock_guard<std::mutex> lock(mu_);
  CheckInterrupts();
  Verbs v = VerbsFor(e.action);
  std::string line = st.Bold(e.address) + ": ";
  auto forget = [&] {
    in_flight_.erase(std::remove_if(in_flight_.begin(), in_flight_.end(),
                                    [&](const InFlight& f) { return f.address == e.address; }),
                     in_flight_.end());
  };
  switch (e.kind) {
    case apply::ApplyEvent::Kind::kStart:
      in_flight_.push_back(InFlight{e.address, e.action, Now(), kNoteEvery, ""});
      line += v.doing;
      break;
    case apply::ApplyEvent::Kind::kDone:
      forget();
      ++done_;
      line += std::string(v.done) + " after " + Seconds(e.elapsed_seconds);
      if (!e.message.empty()) line += " " + e.message;
      line += st.Dim(" (" + std::to_string(done_ + failed_ + skipped_) + "/" +
                     std::to_string(total_) + ")");
      break;
    case apply::ApplyEvent::Kind::kFailed:
      forget();
      ++failed_;
      line += st.Red("Failed") + " after " + Seconds(e.elapsed_seconds);
      if (!e.message.empty()) line += ": " + e.message;
      break;
    case apply::ApplyEvent::Kind::kSkipped:
      ++skipped_;
      line += st.Yellow("Skipped") + (e.message.empty() ? "" : ": " + e.message);
      break;
  }
  // On a terminal the start is visible in the status area; only the outcome scrolls.
  if (opts_.live && e.kind == apply::ApplyEvent::Kind::kStart) {
    if (Batched()) return;  // the next tick shows it
    EraseStatus();
    DrawStatus();
    *out_ << std::flush;
    return;
  }
  PrintLine(line);
}

void ProgressPrinter::OnRetry(const apply::RetryEvent& e) {
  Style st(opts_.color);
  std::lock_guard<std::mutex> lock(mu_);
  char delay[32];
  std::snprintf(delay, sizeof delay, "%.1fs", e.delay_seconds);
  std::string what = std::string("retrying in ") + delay + " (attempt " +
                     std::to_string(e.attempt) + "/" + std::to_string(e.max_attempts) + ")";
  for (InFlight& f : in_flight_)
    if (f.address == e.address) f.retry = what;
  PrintLine(st.Bold(e.address) + ": " + st.Yellow(what) + ": " + e.message);
}

void ProgressPrinter::Tick() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  CheckInterrupts();
  if (opts_.live) {
    EraseStatus();
    *out_ << pending_;
    pending_.clear();
    DrawStatus();
    *out_ << std::flush;
    return;
  }
  Style st(opts_.color);
  auto now = Now();
  for (InFlight& f : in_flight_) {
    double secs = std::chrono::duration<double>(now - f.start).count();
    if (secs < f.next_note) continue;
    // One line per tick even if several notes are overdue (a stalled clock, a suspended shell).
    int at = static_cast<int>(secs) / kNoteEvery * kNoteEvery;
    f.next_note = at + kNoteEvery;
    *out_ << st.Bold(f.address) << ": " << VerbsFor(f.action).still << " [" << at << "s elapsed]\n";
  }
  *out_ << std::flush;
}

}  // namespace cairn::cli
