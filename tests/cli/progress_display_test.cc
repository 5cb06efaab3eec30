// The apply progress display, driven with a fake clock: plain lines on a pipe (with a note every
// 10 s of a long step), a redrawn status area on a terminal, retry lines, and the final report.
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "engine/cli/progress.h"
#include "engine/cli/report.h"

namespace cairn::cli {
namespace {

using apply::ApplyEvent;
using plan::Action;
using Clock = std::chrono::steady_clock;

class ProgressTest : public ::testing::Test {
 protected:
  std::unique_ptr<ProgressPrinter> Make(bool live, size_t total) {
    ProgressOptions o;
    o.live = live;
    o.width = 80;
    o.out = &out_;
    o.ticker = false;
    o.now = [this] { return now_; };
    return std::make_unique<ProgressPrinter>(o, total);
  }
  void Advance(double seconds) {
    now_ += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }
  static ApplyEvent Event(ApplyEvent::Kind kind, const std::string& address, double elapsed = 0,
                          const std::string& message = "") {
    return ApplyEvent{kind, address, Action::kCreate, message, elapsed};
  }
  std::string Take() {
    std::string s = out_.str();
    out_.str("");
    return s;
  }

  std::ostringstream out_;
  Clock::time_point now_ = Clock::time_point(std::chrono::hours(1));
};

TEST_F(ProgressTest, PipeGetsOneLinePerEventAndANoteEveryTenSeconds) {
  auto p = Make(false, 2);
  p->OnEvent(Event(ApplyEvent::Kind::kStart, "pektin.record.mail"));
  EXPECT_EQ(Take(), "pektin.record.mail: Creating...\n");
  Advance(9);
  p->Tick();
  EXPECT_EQ(Take(), "");
  Advance(1.5);
  p->Tick();
  EXPECT_EQ(Take(), "pektin.record.mail: Still creating... [10s elapsed]\n");
  p->Tick();
  EXPECT_EQ(Take(), "") << "one note per 10 s, not per tick";
  Advance(10);
  p->Tick();
  EXPECT_EQ(Take(), "pektin.record.mail: Still creating... [20s elapsed]\n");
  p->OnEvent(Event(ApplyEvent::Kind::kDone, "pektin.record.mail", 21));
  EXPECT_EQ(Take(), "pektin.record.mail: Creation complete after 21s (1/2)\n");
  Advance(30);
  p->Tick();
  EXPECT_EQ(Take(), "") << "finished steps are not noted";
  EXPECT_EQ(out_.str().find('\x1b'), std::string::npos);
}

TEST_F(ProgressTest, PipeShowsRetries) {
  auto p = Make(false, 1);
  p->OnEvent(Event(ApplyEvent::Kind::kStart, "a.b.c"));
  Take();
  p->OnRetry(apply::RetryEvent{"a.b.c", Action::kCreate, 2, 5, 2.34, "create: busy"});
  EXPECT_EQ(Take(), "a.b.c: retrying in 2.3s (attempt 2/5): create: busy\n");
}

// A stream buffer that keeps what was written out (flushed) apart from what is still buffered,
// as stdout on a pipe does; safe to read from another thread than the one writing.
class FlushRecorder : public std::stringbuf {
 public:
  std::string written() {
    std::lock_guard<std::mutex> lock(mu_);
    return written_;
  }
  int flushes() {
    std::lock_guard<std::mutex> lock(mu_);
    return flushes_;
  }

 protected:
  int sync() override {
    std::lock_guard<std::mutex> lock(mu_);
    written_ += str();
    str("");
    ++flushes_;
    return 0;
  }

 private:
  std::mutex mu_;
  std::string written_;
  int flushes_ = 0;
};

// Starts and finishes local.file.f0 ... f<steps-1>, one after the other, as fast as it can.
void RunSteps(ProgressPrinter* p, int steps) {
  for (int i = 0; i < steps; ++i) {
    std::string address = "local.file.f" + std::to_string(i);
    p->OnEvent(ApplyEvent{ApplyEvent::Kind::kStart, address, Action::kCreate, "", 0});
    p->OnEvent(ApplyEvent{ApplyEvent::Kind::kDone, address, Action::kCreate, "", 0.01});
  }
}

// Returns once `text` was written out (flushed), or after 20 s; the assertions that follow say
// which.
void WaitUntilWritten(FlushRecorder* buf, const std::string& text) {
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (buf->written().find(text) == std::string::npos && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

TEST(ProgressTickerTest, LinesAreWrittenOutByTheTickerNotOneWriteEach) {
  FlushRecorder buf;
  std::ostream out(&buf);
  ProgressOptions o;
  o.out = &out;  // a pipe (not live), with the real ticker
  constexpr int kSteps = 200;
  ProgressPrinter p(o, kSteps);
  RunSteps(&p, kSteps);
  EXPECT_LT(buf.flushes(), 2 * kSteps / 10) << "a write per line would be " << 2 * kSteps;
  // The ticker writes them out without waiting for the apply to end (it ticks every 250 ms).
  WaitUntilWritten(&buf, "local.file.f199: Creation complete");
  std::string written = buf.written();
  EXPECT_NE(written.find("local.file.f0: Creating...\n"), std::string::npos);
  EXPECT_NE(written.find("local.file.f199: Creation complete after 0.0s (200/200)\n"),
            std::string::npos)
      << written.substr(written.size() > 300 ? written.size() - 300 : 0);
  p.Finish();
  EXPECT_EQ(buf.written().size(), written.size()) << "nothing was left unwritten";
}

TEST(ProgressTickerTest, ATerminalIsRedrawnByTheTickerNotOnEveryEvent) {
  FlushRecorder buf;
  std::ostream out(&buf);
  ProgressOptions o;
  o.out = &out;
  o.live = true;  // a terminal, with the real ticker
  constexpr int kSteps = 200;
  ProgressPrinter p(o, kSteps);
  RunSteps(&p, kSteps);
  EXPECT_LT(buf.flushes(), 2 * kSteps / 10) << "a redraw per event would be " << 2 * kSteps;
  WaitUntilWritten(&buf, "200/200 done");
  p.Finish();
  std::string written = buf.written();
  EXPECT_NE(written.find("200/200 done, 0 in progress, 0 failed\n"), std::string::npos)
      << "the ticker drew the status area while the apply ran";
  // Every finished line is printed once, in order, and the status area is gone at the end.
  size_t at = 0;
  for (int i = 0; i < kSteps; ++i) {
    std::string line = "local.file.f" + std::to_string(i) + ": Creation complete after 0.0s (" +
                       std::to_string(i + 1) + "/" + std::to_string(kSteps) + ")\n";
    size_t found = written.find(line, at);
    ASSERT_NE(found, std::string::npos) << line;
    EXPECT_EQ(written.find(line, found + 1), std::string::npos) << line;
    at = found + line.size();
  }
  size_t last_erase = written.rfind("\x1b[J");
  ASSERT_NE(last_erase, std::string::npos);
  EXPECT_EQ(written.find(" done, ", last_erase), std::string::npos)
      << "no status area after Finish: " << written.substr(last_erase);
}

TEST_F(ProgressTest, TerminalKeepsAStatusAreaUnderFinishedLines) {
  auto p = Make(true, 3);
  p->OnEvent(Event(ApplyEvent::Kind::kStart, "pektin.record.mail"));
  p->OnEvent(Event(ApplyEvent::Kind::kStart, "pektin.record.www"));
  Take();
  Advance(12);
  p->Tick();
  std::string frame = Take();
  // The previous status area (2 resources + counter) is erased, then redrawn with the time.
  EXPECT_EQ(frame.rfind("\r\x1b[3A\x1b[J", 0), 0u) << frame;
  EXPECT_NE(frame.find("  pektin.record.mail: Creating... [12s elapsed]\n"), std::string::npos)
      << frame;
  EXPECT_NE(frame.find("  pektin.record.www: Creating... [12s elapsed]\n"), std::string::npos);
  EXPECT_NE(frame.find("0/3 done, 2 in progress, 0 failed\n"), std::string::npos) << frame;

  p->OnEvent(Event(ApplyEvent::Kind::kDone, "pektin.record.mail", 12));
  frame = Take();
  // The finished line is printed where the status area was, so it scrolls up above it.
  size_t done = frame.find("pektin.record.mail: Creation complete after 12s (1/3)\n");
  size_t counter = frame.find("1/3 done, 1 in progress, 0 failed\n");
  ASSERT_NE(done, std::string::npos) << frame;
  ASSERT_NE(counter, std::string::npos) << frame;
  EXPECT_LT(done, counter);
  EXPECT_EQ(frame.find("pektin.record.mail: Creating"), std::string::npos) << frame;

  p->OnEvent(Event(ApplyEvent::Kind::kFailed, "pektin.record.www", 13, "create: refused"));
  EXPECT_NE(Take().find("1/3 done, 0 in progress, 1 failed\n"), std::string::npos);
  p->Finish();
  EXPECT_EQ(Take(), "\r\x1b[1A\x1b[J") << "the status area is removed before the report";
}

TEST_F(ProgressTest, TerminalStatusShowsAPendingRetry) {
  auto p = Make(true, 1);
  p->OnEvent(Event(ApplyEvent::Kind::kStart, "a.b.c"));
  p->OnRetry(apply::RetryEvent{"a.b.c", Action::kCreate, 3, 6, 4, "create: 503"});
  std::string frame = Take();
  EXPECT_NE(frame.find("a.b.c: retrying in 4.0s (attempt 3/6): create: 503\n"), std::string::npos)
      << frame;
  EXPECT_NE(frame.find("  a.b.c: Creating... [0s elapsed] retrying in 4.0s (attempt 3/6)\n"),
            std::string::npos)
      << frame;
}

TEST(ReportTest, GroupsFailuresSkipsAndStepsNotStarted) {
  plan::Plan p;
  plan::ResourceChange c;
  c.address = "x.y.later";
  c.action = Action::kUpdate;
  p.changes.push_back(c);
  apply::ApplyResult r;
  r.failures.push_back({"x.y.a", Action::kCreate, "create: timed out after 30s", "raise it"});
  r.failed_addresses.push_back("x.y.a");
  r.skips.push_back({"x.y.b", Action::kCreate, "x.y.a"});
  r.not_started_addresses.push_back("x.y.later");
  r.done_by_action = {{Action::kCreate, 2}, {Action::kDelete, 1}};
  r.retries = 3;
  std::string out = RenderApplyReport(p, r, ReportContext{false, true, true, false});
  EXPECT_NE(out.find("Apply failed. Resources: 2 added, 0 changed, 1 destroyed.\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Succeeded: 2 created, 1 destroyed (after 3 retries)\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Failed (1):\n  x.y.a (create): create: timed out after 30s\n    hint: "
                     "raise it\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("(1):\n  x.y.b (create): needs x.y.a\n"), std::string::npos) << out;
  EXPECT_NE(out.find("Not started, because of the interrupt (1):\n  x.y.later (update)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("run `cairn apply` again"), std::string::npos) << out;
}

TEST(ReportTest, CleanApplyIsOneLine) {
  apply::ApplyResult r;
  r.done_by_action = {{Action::kCreate, 1}};
  EXPECT_EQ(RenderApplyReport(plan::Plan(), r, ReportContext{}),
            "\nApply complete! Resources: 1 added, 0 changed, 0 destroyed.\n");
}

}  // namespace
}  // namespace cairn::cli
