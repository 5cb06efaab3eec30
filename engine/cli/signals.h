// Ctrl-C handling: the first interrupt asks apply to stop starting new work, the second to stop
// waiting for work in flight. State is saved either way.
#pragma once

#include <atomic>

namespace cairn::cli {

/// Flags set by SIGINT/SIGTERM, read by the apply loop.
struct InterruptFlags {
  std::atomic<bool> stop{false};   // first signal
  std::atomic<bool> abort{false};  // second signal
};

/// Installs handlers that set `flags` (which must outlive the handlers) and print a short notice.
void InstallInterruptHandlers(InterruptFlags* flags);
/// Restores the default handlers.
void RemoveInterruptHandlers();

}  // namespace cairn::cli
