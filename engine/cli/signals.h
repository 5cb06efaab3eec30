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

/// What the user is told after the first and the second interrupt.
extern const char kFirstInterruptNotice[];
extern const char kSecondInterruptNotice[];

/// Installs handlers that set `flags` (which must outlive the handlers) and print a short notice.
/// Installed while another caller's handlers are (an apply inside `cairn watch`), a signal sets
/// the outer flags' `stop` too, and RemoveInterruptHandlers goes back to the outer flags.
void InstallInterruptHandlers(InterruptFlags* flags);
/// Restores the default handlers (or the outer caller's flags).
void RemoveInterruptHandlers();

/// Interrupts received since the handlers were installed (0, 1 or 2).
int InterruptsReceived();
/// While set, the handlers print nothing: a live progress display, which redraws the bottom of
/// the terminal, prints the notices itself so that they do not tear its status area.
void SetInterruptNoticesQuiet(bool quiet);

}  // namespace cairn::cli
