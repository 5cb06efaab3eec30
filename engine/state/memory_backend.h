// InMemoryBackend: a Backend without disk, for unit tests of the stages that use state.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/state/backend.h"

namespace cairn::state {

/// Keeps state in memory with the same rules as LocalBackend: serial and lineage checks on
/// Save, an exclusive lock naming its holder, a journal replayed by Load until the next Save.
/// Snapshots go through the state file format, so what a test saves is what a file would hold.
/// Thread-safe; journals may outlive the backend.
class InMemoryBackend : public Backend {
 public:
  InMemoryBackend();
  ~InMemoryBackend() override;
  InMemoryBackend(const InMemoryBackend&) = delete;
  InMemoryBackend& operator=(const InMemoryBackend&) = delete;

  std::string Describe() const override { return "in-memory state"; }
  Result<LockInfo> Lock(const std::string& operation) override;
  Status Unlock(const std::string& lock_id) override;
  Status ForceUnlock(const std::string& lock_id) override;
  Result<State> Load() override;
  Status Save(const State& s) override;
  Result<std::unique_ptr<Journal>> OpenJournal(const State& base) override;
  Diagnostics TakeWarnings() override;

  // For tests.
  /// Pretends another process holds the lock.
  void SetLockHolder(const LockInfo& holder);
  /// The next Save fails with `s` (and stores nothing).
  void FailNextSave(Status s);
  /// How many Saves succeeded.
  int save_count() const;
  /// The stored snapshot in the state file format, or "" when nothing was saved.
  std::string snapshot_json() const;
  /// Serials of the kept backups, oldest first (at most 10).
  std::vector<uint64_t> backup_serials() const;
  /// Number of records in the current journal (0 when none).
  size_t journal_records() const;

  struct Shared;  // the data, shared with open journals

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace cairn::state
