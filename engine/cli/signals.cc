#include "engine/cli/signals.h"

#include <csignal>
#include <cstring>

#include <unistd.h>

namespace cairn::cli {

const char kFirstInterruptNotice[] =
    "Interrupt received: finishing the steps in progress and saving state (press Ctrl-C again "
    "to stop waiting).";
const char kSecondInterruptNotice[] =
    "Two interrupts received: cancelling the steps in progress; saving state.";

namespace {

InterruptFlags* g_flags = nullptr;
InterruptFlags* g_outer = nullptr;  // a long-running caller's flags (cairn watch), told too
std::atomic<int> g_received{0};
std::atomic<bool> g_quiet{false};

void Say(const char* notice) {
  if (g_quiet.load()) return;
  ssize_t unused = write(STDERR_FILENO, "\n", 1);
  unused = write(STDERR_FILENO, notice, std::strlen(notice));
  unused = write(STDERR_FILENO, "\n", 1);
  (void)unused;
}

void OnSignal(int) {
  if (g_flags == nullptr) return;
  // Only async-signal-safe calls here: lock-free atomics, strlen and write(2).
  if (g_outer != nullptr && g_outer != g_flags) g_outer->stop.store(true);
  if (!g_flags->stop.exchange(true)) {
    g_received.store(1);
    Say(kFirstInterruptNotice);
  } else if (!g_flags->abort.exchange(true)) {
    g_received.store(2);
    Say(kSecondInterruptNotice);
  }
}

}  // namespace

void InstallInterruptHandlers(InterruptFlags* flags) {
  if (g_flags != nullptr && g_outer == nullptr) g_outer = g_flags;
  g_flags = flags;
  g_received.store(0);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void RemoveInterruptHandlers() {
  if (g_outer != nullptr && g_flags != g_outer) {  // back to the outer caller's flags
    g_flags = g_outer;
    return;
  }
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  g_flags = nullptr;
  g_outer = nullptr;
}

int InterruptsReceived() { return g_received.load(); }

void SetInterruptNoticesQuiet(bool quiet) { g_quiet.store(quiet); }

}  // namespace cairn::cli
