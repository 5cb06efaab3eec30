// The journal of an EtcdBackend: one key per record under <prefix>journal/, written with group
// commit (the records of concurrent callers share one transaction).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/state/backend.h"
#include "engine/state/etcd_client.h"
#include "engine/state/journal_format.h"

namespace cairn::state {

/// Key names of an etcd state under one prefix (which ends in '/').
struct EtcdKeys {
  std::string prefix;
  std::string state() const { return prefix + "state"; }
  std::string lock() const { return prefix + "lock"; }
  std::string journal_head() const { return prefix + "journal.head"; }
  std::string journal_dir() const { return prefix + "journal/"; }
  std::string journal_record(uint64_t seq) const;
  std::string snap_dir() const { return prefix + "snap/"; }
  std::string snapshot(uint64_t serial) const;  // "<prefix>snap/<serial>/"
  std::string chunk(uint64_t serial, size_t i) const;
};

/// Appends journal records as etcd keys. A record's value is its journal line (sealed when the
/// state is encrypted), so Load replays it with the local journal's parser. Every write also
/// checks that this process still holds the state lock.
class EtcdJournal : public Journal {
 public:
  /// `next_seq` is the first free record number; `lock_revision` the lock key's create revision
  /// (0: no lock check). `existing` are the records already stored (for the carry-over rule).
  EtcdJournal(std::shared_ptr<EtcdClient> client, EtcdKeys keys,
              std::shared_ptr<const StateCipher> cipher, uint64_t next_seq, int64_t lock_revision,
              std::vector<Value> existing);
  ~EtcdJournal() override;

  Status RecordPut(const ResourceState& r) override;
  Status RecordDelete(const std::string& address) override;
  Result<uint64_t> QueuePut(const ResourceState& r) override { return Queue(PutRecord(r)); }
  Result<uint64_t> QueueDelete(const std::string& address) override {
    return Queue(DeleteRecord(address));
  }
  Status WaitDurable(uint64_t ticket) override;
  Status Close() override;
  bool closed();
  /// How many transactions wrote records; with concurrent callers, fewer than records.
  uint64_t txns();

  /// For a Save of `saved` while this journal is open: the operations that restart the journal
  /// on top of it (delete the stored records, put the head, re-put the records `saved` does not
  /// reflect). Blocks writers until FinishRebase.
  Result<std::vector<nlohmann::json>> BeginRebase(const State& saved);
  void FinishRebase(bool committed);

 private:
  Result<uint64_t> Queue(const Value& record);

  const std::shared_ptr<EtcdClient> client_;
  const EtcdKeys keys_;
  const std::shared_ptr<const StateCipher> cipher_;
  const int64_t lock_revision_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> pending_;  // lines queued, not yet written
  uint64_t next_seq_;                 // record number of the next key written
  uint64_t queued_ = 0;               // ticket of the last queued record
  uint64_t durable_ = 0;              // ticket of the last record known to be stored
  bool writing_ = false;              // a leader (or a rebase) is talking to etcd outside mu_
  bool closed_ = false;
  uint64_t txns_ = 0;
  Status error_;                       // sticky
  std::map<std::string, Value> last_;  // newest record per address, for the rebase
  std::map<std::string, Value> rebase_last_;
  uint64_t rebase_next_ = 0;
};

/// The Journal handed to callers of EtcdBackend::OpenJournal; the backend keeps a weak
/// reference to the EtcdJournal behind it, to restart it when a snapshot is saved.
class EtcdJournalHandle : public Journal {
 public:
  explicit EtcdJournalHandle(std::shared_ptr<EtcdJournal> j) : j_(std::move(j)) {}
  ~EtcdJournalHandle() override { (void)j_->Close(); }
  Status RecordPut(const ResourceState& r) override { return j_->RecordPut(r); }
  Status RecordDelete(const std::string& address) override { return j_->RecordDelete(address); }
  Result<uint64_t> QueuePut(const ResourceState& r) override { return j_->QueuePut(r); }
  Result<uint64_t> QueueDelete(const std::string& a) override { return j_->QueueDelete(a); }
  Status WaitDurable(uint64_t ticket) override { return j_->WaitDurable(ticket); }
  Status Close() override { return j_->Close(); }
  /// See EtcdJournal::txns.
  uint64_t txns() const { return j_->txns(); }

 private:
  std::shared_ptr<EtcdJournal> j_;
};

}  // namespace cairn::state
