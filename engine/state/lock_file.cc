#include "engine/state/lock_file.h"

#include <cerrno>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/json.h"
#include "engine/state/file_io.h"
#include "engine/state/lock_info.h"

namespace cairn::state {
namespace {

// How often TryLock re-examines the file when it catches another process mid-way (between
// taking the kernel lock and writing its record, or between unlinking and unlocking).
constexpr int kAttempts = 400;
constexpr auto kPause = std::chrono::milliseconds(2);

enum class RecordState { kMissing, kUnreadable, kOk };

RecordState ReadRecord(const std::string& path, LockInfo* out) {
  std::string text;
  Status s = ReadWholeFile(path, &text);
  if (s.code() == Status::Code::kNotFound) return RecordState::kMissing;
  if (!s.ok() || text.empty()) return RecordState::kUnreadable;
  Result<Value> v = ParseJson(text);
  if (!v.ok()) return RecordState::kUnreadable;
  Result<LockInfo> info = LockInfoFromValue(*v);
  if (!info.ok()) return RecordState::kUnreadable;
  *out = std::move(info).value();
  return RecordState::kOk;
}

// True when the record names a process of this host that no longer exists.
bool HolderIsGone(const LockInfo& info) {
  if (info.pid <= 0 || info.host != ThisHost()) return false;
  return kill(static_cast<pid_t>(info.pid), 0) != 0 && errno == ESRCH;
}

bool SameFile(int fd, const std::string& path) {
  struct stat a, b;
  if (fstat(fd, &a) != 0 || stat(path.c_str(), &b) != 0) return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

bool NoKernelLocks(int err) { return err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS; }

}  // namespace

LockFile::~LockFile() {
  if (fd_ >= 0) (void)Unlock(info_.id);
}

Result<LockInfo> LockFile::TryLock(const std::string& operation, std::optional<LockInfo>* stale) {
  if (fd_ >= 0) return LockedStatus(info_);
  Status last = Status::WithCode(
      Status::Code::kLocked,
      "state is locked by another process whose lock record in " + path_ + " cannot be read",
      "wait for the other cairn command to finish");
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(kPause);
    int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return ErrnoStatus("cannot open lock file", path_, errno);
    LockInfo previous;
    RecordState prev_state = RecordState::kMissing;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      if (err == EWOULDBLOCK || err == EINTR) {
        close(fd);
        LockInfo holder;
        RecordState rs = ReadRecord(path_, &holder);
        // Missing: the holder just unlocked. Unreadable or naming a dead process: the holder
        // has the kernel lock but has not written its record yet. Look again shortly.
        if (rs == RecordState::kOk && !HolderIsGone(holder)) return LockedStatus(holder);
        continue;
      }
      if (!NoKernelLocks(err)) {
        close(fd);
        return ErrnoStatus("cannot lock", path_, err);
      }
      // A filesystem without flock: the record alone is the lock, until force-unlock.
      prev_state = ReadRecord(path_, &previous);
      if (prev_state == RecordState::kOk) {
        close(fd);
        return LockedStatus(previous);
      }
    } else {
      // The previous holder may have unlinked the file after we opened it; then our lock is on
      // a file nobody else will look at.
      if (!SameFile(fd, path_)) {
        close(fd);
        continue;
      }
      prev_state = ReadRecord(path_, &previous);
    }
    if (prev_state == RecordState::kOk && stale != nullptr) *stale = previous;
    LockInfo info = NewLockInfo(operation);
    std::string text = DumpJson(LockInfoToValue(info), 2) + "\n";
    if (ftruncate(fd, 0) != 0 ||
        pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
        fsync(fd) != 0) {
      int err = errno;
      unlink(path_.c_str());
      close(fd);
      return ErrnoStatus("cannot write lock file", path_, err);
    }
    fd_ = fd;
    info_ = info;
    return info;
  }
  return last;
}

Result<LockInfo> LockFile::LockWithin(const std::string& operation,
                                      std::chrono::milliseconds timeout,
                                      std::optional<LockInfo>* stale) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(10);
  for (;;) {
    Result<LockInfo> r = TryLock(operation, stale);
    if (r.ok() || r.status().code() != Status::Code::kLocked) return r;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline || fd_ >= 0) {
      Status s = r.status();
      return Status::WithCode(
          Status::Code::kLocked,
          s.message() + " (gave up after waiting " + std::to_string(timeout.count()) + " ms)",
          s.hint());
    }
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(250));
  }
}

Status LockFile::Unlock(const std::string& id) {
  if (fd_ < 0) {
    return Status::WithCode(Status::Code::kNotFound, "the state is not locked by this process");
  }
  if (id != info_.id) {
    return Status::WithCode(Status::Code::kConflict,
                            "lock id " + id + " does not match the held lock " + info_.id);
  }
  // Unlink before unlocking: whoever was waiting on this file sees it is gone and starts over
  // with a fresh file instead of sharing a lock on an orphan.
  unlink(path_.c_str());
  flock(fd_, LOCK_UN);
  close(fd_);
  fd_ = -1;
  info_ = LockInfo();
  return Status::Ok();
}

Status LockFile::ForceUnlock(const std::string& id) {
  if (fd_ >= 0 && id == info_.id) return Unlock(id);
  LockInfo holder;
  RecordState rs = ReadRecord(path_, &holder);
  if (rs == RecordState::kMissing) {
    return Status::WithCode(Status::Code::kNotFound,
                            "the state is not locked (" + path_ + " does not exist)");
  }
  if (rs == RecordState::kUnreadable) {
    return Status::Error("the lock record " + path_ + " is unreadable, so its id cannot be checked",
                         "make sure no cairn command is running, then delete the file by hand");
  }
  if (holder.id != id) {
    return Status::WithCode(
        Status::Code::kConflict,
        "lock id " + id + " does not match the current lock: " + LockedStatus(holder).message(),
        "copy the id from the 'state is locked' message");
  }
  int fd = open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open lock file", path_, errno);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (!NoKernelLocks(err)) {
      close(fd);
      Status s = LockedStatus(holder);
      return Status::WithCode(
          Status::Code::kLocked,
          "refusing to force-unlock: the holding process is still running; " + s.message(),
          "stop that command (pid " + std::to_string(holder.pid) + " on " + holder.host +
              ") instead; its lock goes away when it exits");
    }
  }
  unlink(path_.c_str());
  flock(fd, LOCK_UN);
  close(fd);
  return Status::Ok();
}

}  // namespace cairn::state
