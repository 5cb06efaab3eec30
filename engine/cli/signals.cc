#include "engine/cli/signals.h"

#include <csignal>
#include <cstring>

#include <unistd.h>

namespace cairn::cli {
namespace {

InterruptFlags* g_flags = nullptr;

void OnSignal(int) {
  if (g_flags == nullptr) return;
  // Only async-signal-safe calls here: atomics and write(2).
  if (!g_flags->stop.exchange(true)) {
    const char msg[] =
        "\nInterrupt received: finishing the steps in progress and saving state (press Ctrl-C "
        "again "
        "to stop waiting).\n";
    ssize_t unused = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)unused;
  } else if (!g_flags->abort.exchange(true)) {
    const char msg[] = "\nTwo interrupts received: no longer waiting; saving state.\n";
    ssize_t unused = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)unused;
  }
}

}  // namespace

void InstallInterruptHandlers(InterruptFlags* flags) {
  g_flags = flags;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void RemoveInterruptHandlers() {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  g_flags = nullptr;
}

}  // namespace cairn::cli
