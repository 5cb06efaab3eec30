// EtcdBackend: state shared through an etcd v3 cluster, so that several admins (on several
// machines) work on one state with one lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/diag.h"
#include "engine/state/backend.h"
#include "engine/state/etcd_client.h"
#include "engine/state/etcd_journal.h"

namespace cairn::state {

/// State under one etcd key prefix: `state` (lineage, serial and where the snapshot is),
/// `snap/<serial>/<n>` (the snapshot in chunks below etcd's request limit, the previous ones
/// kept as history), `lock` (the holder, attached to a lease kept alive while the holder runs)
/// and `journal.head` + `journal/<n>` (changes since the snapshot). Every write is a
/// compare-and-swap: on the `state` key's revision and on the lock still being ours. The layout
/// and its guarantees are described in docs/state.md.
class EtcdBackend : public Backend {
 public:
  static constexpr size_t kKeepHistory = 10;
  /// Snapshot bytes per key: below etcd's default 1.5 MiB request limit with room to spare.
  static constexpr size_t kChunkBytes = 1024 * 1024;

  explicit EtcdBackend(EtcdOptions opts);
  ~EtcdBackend() override;
  EtcdBackend(const EtcdBackend&) = delete;
  EtcdBackend& operator=(const EtcdBackend&) = delete;

  std::string Describe() const override;
  Result<LockInfo> Lock(const std::string& operation) override;
  Status Unlock(const std::string& lock_id) override;
  Status ForceUnlock(const std::string& lock_id) override;
  Result<State> Load() override;
  Status Save(const State& s) override;
  Result<std::unique_ptr<Journal>> OpenJournal(const State& base) override;
  Diagnostics TakeWarnings() override { return warnings_.Take(); }
  Status RekeyHistory(const StateCipher* old) override;

  /// Serials of the kept previous snapshots, oldest first.
  Result<std::vector<uint64_t>> HistorySerials();
  /// The text of a kept snapshot (decrypted), as a local backup file would hold it.
  Result<std::string> SnapshotText(uint64_t serial);
  /// True once the lock's lease could not be kept alive (the lock may be someone else's now).
  bool lock_lost() const { return lock_lost_.load(); }

 private:
  /// What the `state` key says.
  struct Meta {
    std::string lineage;
    uint64_t serial = 0;
    size_t chunks = 0;
    size_t bytes = 0;
    std::string sha256;  // hex, of the stored (possibly sealed) snapshot text
    std::string writer;  // random id of the Save that wrote it
    int64_t mod_revision = 0;
  };

  Result<std::optional<Meta>> ReadMeta(int64_t* revision);
  Result<std::string> ReadChunks(uint64_t serial, size_t chunks, int64_t revision);
  Result<std::string> ReadSnapshot(const Meta& m, int64_t revision);
  Status Replay(int64_t revision, bool stored, State* s);
  Status CheckSavable(const std::optional<Meta>& old, const State& s);
  Status LockLostStatus() const;
  /// Why a save's transaction, whose failure branch read `state` and `lock`, did not commit.
  Status LostSaveStatus(const nlohmann::json& failed, uint64_t serial);
  void PruneHistory(uint64_t current);
  void StartKeepAlive(int64_t lease);
  void StopKeepAlive();

  const std::shared_ptr<EtcdClient> client_;
  const EtcdKeys keys_;
  std::mutex mu_;
  std::optional<LockInfo> held_;  // the lock this object holds
  int64_t lease_ = 0;
  int64_t lock_revision_ = 0;  // create revision of our lock key
  std::thread keepalive_;
  std::mutex ka_mu_;
  std::condition_variable ka_cv_;
  bool ka_stop_ = false;
  std::atomic<bool> lock_lost_{false};
  std::weak_ptr<EtcdJournal> journal_;
  std::string loaded_writer_;  // the `writer` of the snapshot this object last read or wrote
  WarningList warnings_;
};

}  // namespace cairn::state
