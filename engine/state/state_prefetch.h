// A state file read and parsed ahead of time: a command starts it before it has loaded the
// blueprint (which says where the state is), so that parsing a large state.json overlaps loading
// the blueprint on another core. LocalBackend::Load uses the result only when the file it reads
// under the lock has the very same bytes; otherwise the prefetch is ignored.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/base/async_task.h"
#include "engine/state/state.h"

namespace cairn::state {

class StatePrefetch {
 public:
  /// Starts reading and parsing the plain-text state file at `path` on a pooled thread. A file
  /// that is missing, encrypted or unusual is simply not prefetched.
  static std::shared_ptr<StatePrefetch> Start(std::string path);
  ~StatePrefetch();
  StatePrefetch(const StatePrefetch&) = delete;
  StatePrefetch& operator=(const StatePrefetch&) = delete;

  /// Waits for the parse, then gives its state (once) if it was made from the file at `path`
  /// holding exactly `text`.
  std::optional<State> TakeIfSame(const std::string& path, std::string_view text);

 private:
  explicit StatePrefetch(std::string path) : path_(std::move(path)) {}
  void Run();

  const std::string path_;
  AsyncTask done_;
  std::string text_;            // what was read (set by Run)
  std::optional<State> state_;  // what it parsed into (set by Run)
};

}  // namespace cairn::state
