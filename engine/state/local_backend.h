// LocalBackend: state kept in a directory on this machine (by default <blueprint dir>/.cairn).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "engine/base/diag.h"
#include "engine/state/backend.h"
#include "engine/state/lock_file.h"
#include "engine/state/state_prefetch.h"

namespace cairn::state {

class JournalWriter;

/// State in a local directory: state.json (the snapshot), state.journal (changes since it),
/// state.lock (who holds the lock) and backups/state.<serial>.json (the last few snapshots).
/// The layout and the crash guarantees are described in docs/state.md.
class LocalBackend : public Backend {
 public:
  static constexpr size_t kDefaultKeepBackups = 10;

  explicit LocalBackend(std::string dir, size_t keep_backups = kDefaultKeepBackups);
  ~LocalBackend() override;
  LocalBackend(const LocalBackend&) = delete;
  LocalBackend& operator=(const LocalBackend&) = delete;

  /// "<directory of blueprint_path>/.cairn"
  static std::string DefaultDir(const std::string& blueprint_path);

  std::string Describe() const override;
  Result<LockInfo> Lock(const std::string& operation) override;
  /// Like Lock, but keeps retrying while another process holds the lock, up to `timeout`.
  Result<LockInfo> Lock(const std::string& operation, std::chrono::milliseconds timeout);
  Status Unlock(const std::string& lock_id) override;
  Status ForceUnlock(const std::string& lock_id) override;
  Result<State> Load() override;
  Status Save(const State& s) override;
  Result<std::unique_ptr<Journal>> OpenJournal(const State& base) override;
  Diagnostics TakeWarnings() override { return warnings_.Take(); }
  Status RekeyHistory(const StateCipher* old) override;

  /// Lets the next Load take its state.json from `p` when the file has not changed since.
  void SetPrefetch(std::shared_ptr<StatePrefetch> p) { prefetch_ = std::move(p); }

  const std::string& dir() const { return dir_; }
  std::string state_path() const { return dir_ + "/state.json"; }
  std::string journal_path() const { return dir_ + "/state.journal"; }
  std::string lock_path() const { return dir_ + "/state.lock"; }
  std::string backups_dir() const { return dir_ + "/backups"; }

 private:
  /// What state.json holds, as far as Save needs to know, and which file that was.
  struct Stored {
    bool exists = false;
    std::string lineage;
    uint64_t serial = 0;
    uint64_t dev = 0, ino = 0, size = 0;
    int64_t mtime_ns = 0;
  };

  // Reads state.json's lineage and serial, parsing the file only when it changed since the
  // last read. REQUIRES: mu_ held.
  Status ReadStored(Stored* out, State* full);
  void Remember(const State& s);  // REQUIRES: mu_ held
  Status KeepBackup(const Stored& old);
  void PruneBackups();
  void RemoveStaleTemps();
  Result<LockInfo> FinishLock(Result<LockInfo> r, const std::optional<LockInfo>& stale);

  const std::string dir_;
  const size_t keep_backups_;
  std::mutex mu_;
  LockFile lock_;
  Stored cache_;  // last known content of state.json
  std::weak_ptr<JournalWriter> journal_;
  WarningList warnings_;
  std::shared_ptr<StatePrefetch> prefetch_;  // used (once) by the next Load
};

}  // namespace cairn::state
