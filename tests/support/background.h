// Processes that tests start in the background (servers such as git daemon, long-running
// commands such as cairn watch): output goes to files the test can read while it runs, and the
// process is killed if the test ends without stopping it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace cairn::testing {

/// One background process.
class BackgroundProcess {
 public:
  BackgroundProcess() = default;
  ~BackgroundProcess();  // SIGKILLs a process still running
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  /// Starts argv (no shell) in `cwd` with extra environment entries; stdout and stderr go to
  /// `log_prefix`.out and .err. False when it could not be started.
  bool Start(const std::vector<std::string>& argv, const std::string& cwd,
             const std::vector<std::string>& env, const std::string& log_prefix);
  bool running() const { return pid_ > 0; }
  void Signal(int sig) const;
  /// Waits up to `seconds` for it to end; its exit code (128+N when killed by signal N), or -1
  /// when it is still running.
  int Wait(double seconds);
  /// SIGTERM, then SIGKILL after `grace` seconds; returns the exit code.
  int Stop(double grace = 10);
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::string log_prefix_;
};

/// Polls `done` every 50 ms for up to `seconds`; true as soon as it holds.
bool WaitFor(const std::function<bool()>& done, double seconds);

/// A TCP port on 127.0.0.1 that was free a moment ago.
int FreeLocalPort();
/// Whether something accepts TCP connections on 127.0.0.1:port.
bool PortOpen(int port);

}  // namespace cairn::testing
