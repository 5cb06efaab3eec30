// The lock of a local state directory: flock(2) on a file that also records who holds it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "engine/base/status.h"
#include "engine/state/backend.h"

namespace cairn::state {

/// An exclusive, crash-safe lock on one path. The kernel lock (flock) is what excludes other
/// holders, so a holder that dies, even by SIGKILL, releases it; the JSON record inside only
/// names the holder for the error message and for force-unlock.
class LockFile {
 public:
  explicit LockFile(std::string path) : path_(std::move(path)) {}
  ~LockFile();
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;

  /// One attempt; kLocked naming the holder when someone else has it (including another
  /// LockFile of this process). When the previous holder died without unlocking, `*stale`
  /// receives its record.
  Result<LockInfo> TryLock(const std::string& operation, std::optional<LockInfo>* stale);
  /// Retries TryLock until `timeout` has passed.
  Result<LockInfo> LockWithin(const std::string& operation, std::chrono::milliseconds timeout,
                              std::optional<LockInfo>* stale);
  /// Releases a lock taken by this object; `id` must be the one TryLock returned.
  Status Unlock(const std::string& id);
  /// Removes the record of a lock whose holder is gone. Refused (kLocked) while a live process
  /// still holds the kernel lock, and (kConflict) when `id` is not the recorded one.
  Status ForceUnlock(const std::string& id);

  bool held() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  int fd_ = -1;  // open and flock'ed while held
  LockInfo info_;
};

}  // namespace cairn::state
