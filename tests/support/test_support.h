// Helpers shared by tests: temporary directories, files, and running the cairn binary.
#pragma once

#include <string>
#include <vector>

namespace cairn::testing {

/// A fresh directory under $TMPDIR, removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// path() + "/" + rel
  std::string Join(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);
bool FileExists(const std::string& path);

/// The outcome of running a command.
struct CommandResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;     // stdout
  std::string err;     // stderr
};

/// Runs argv (no shell) in `cwd` with extra environment entries ("K=V"), waiting for it.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd = "",
                         const std::vector<std::string>& env = {});

/// The cairn binary built with the tests.
std::string CairnBinary();
/// The source tree (for plugins/, blueprints/, schemas/).
std::string SourceDir();

}  // namespace cairn::testing
