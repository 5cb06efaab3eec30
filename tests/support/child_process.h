// A child process whose output is collected as it comes, so that a test can act at the right
// moment (interrupt it, kill it, start another) while it runs.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <sys/types.h>

namespace cairn::testing {

/// A running command (no shell) started in `cwd` with NO_COLOR=1 and extra `env` entries
/// ("K=V"); killed with SIGKILL if still running when the object dies.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& cwd,
        const std::vector<std::string>& env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// Reads output until `text` appears on stdout or stderr; false after `limit` or at exit.
  bool WaitFor(const std::string& text, std::chrono::seconds limit = std::chrono::seconds(60));
  void Interrupt();
  /// SIGKILL, as a crash or the OOM killer would.
  void Kill();
  /// Collects the rest of the output and the exit code (128+N when killed by signal N).
  int Wait();

  pid_t pid() const { return pid_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  bool ReadSome(int ms);  // false once both pipes are closed

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  int exit_code_ = -1;
  std::string out_, err_;
};

}  // namespace cairn::testing
