// The writer behind a LocalBackend's journal: appends records to state.journal with group
// commit, and restarts the file on top of a newly saved snapshot.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "engine/base/status.h"
#include "engine/base/value.h"
#include "engine/state/backend.h"
#include "engine/state/journal_format.h"

namespace cairn::state {

/// Appends journal lines durably. Concurrent Append calls share one write and one fdatasync:
/// the first caller to find no write in progress becomes the leader and writes everything
/// queued so far; the others wait for a write that covers their record.
class JournalWriter {
 public:
  /// Starts a fresh journal at `path` on top of (lineage, base_serial), replacing any file there.
  /// With a cipher, records are sealed (see EncodeRecordLine).
  static Result<std::shared_ptr<JournalWriter>> Create(const std::string& path,
                                                       const std::string& lineage,
                                                       uint64_t base_serial,
                                                       std::shared_ptr<const StateCipher> cipher);
  /// Continues an existing journal whose valid part is described by `existing`; anything after
  /// existing.valid_bytes (a torn record) is cut off first.
  static Result<std::shared_ptr<JournalWriter>> Continue(const std::string& path,
                                                         const JournalContents& existing,
                                                         std::shared_ptr<const StateCipher> cipher);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  /// Returns once `record` is on disk (or the journal failed).
  Status Append(const Value& record);
  /// Queues `record` and returns its sequence number without waiting for the disk.
  Result<uint64_t> Queue(Value record);
  /// Returns once every record up to sequence number `seq` is on disk (or the journal failed).
  /// The caller that finds no write in progress writes everything queued so far.
  Status WaitDurable(uint64_t seq);
  /// Called after a snapshot `saved` was written: restarts the file on top of it, keeping only
  /// the records the snapshot does not already reflect. `resources` are the snapshot's
  /// resources as written (StateToJson gives them), which the save has built already.
  Status Rebase(const State& saved, const Value::List& resources);
  Status Close();
  /// How many write+fdatasync rounds ran; with concurrent callers, fewer than records.
  uint64_t syncs() {
    std::lock_guard<std::mutex> lock(mu_);
    return syncs_;
  }
  bool closed() {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }

 private:
  JournalWriter(std::string path, int fd, std::shared_ptr<const StateCipher> cipher)
      : path_(std::move(path)), cipher_(std::move(cipher)), fd_(fd) {}

  const std::string path_;
  const std::shared_ptr<const StateCipher> cipher_;  // seals records when state is encrypted
  std::mutex mu_;
  std::condition_variable cv_;
  int fd_;                    // guarded by mu_ (swapped by Rebase)
  std::string pending_;       // lines queued, not yet handed to a leader
  size_t pending_count_ = 0;  // how many lines are in pending_
  size_t last_batch_ = 0;     // how many lines the previous write carried
  bool gathering_ = false;    // a leader waits on gather_cv_ for more lines
  std::condition_variable gather_cv_;
  uint64_t queued_ = 0;   // sequence number of the last queued line
  uint64_t durable_ = 0;  // sequence number of the last line known to be on disk
  bool writing_ = false;  // a leader is writing outside mu_
  bool closed_ = false;
  uint64_t syncs_ = 0;
  Status error_;                       // sticky: after a failed write nothing more is accepted
  std::map<std::string, Value> last_;  // newest record per address, for Rebase
};

/// The Journal handed to callers of LocalBackend::OpenJournal.
class LocalJournal : public Journal {
 public:
  explicit LocalJournal(std::shared_ptr<JournalWriter> w) : writer_(std::move(w)) {}
  ~LocalJournal() override { (void)writer_->Close(); }
  LocalJournal(const LocalJournal&) = delete;
  LocalJournal& operator=(const LocalJournal&) = delete;

  Status RecordPut(const ResourceState& r) override { return writer_->Append(PutRecord(r)); }
  Status RecordDelete(const std::string& address) override {
    return writer_->Append(DeleteRecord(address));
  }
  Result<uint64_t> QueuePut(const ResourceState& r) override {
    return writer_->Queue(PutRecord(r));
  }
  Result<uint64_t> QueueDelete(const std::string& address) override {
    return writer_->Queue(DeleteRecord(address));
  }
  Status WaitDurable(uint64_t ticket) override { return writer_->WaitDurable(ticket); }
  Status Close() override { return writer_->Close(); }
  /// See JournalWriter::syncs.
  uint64_t syncs() const { return writer_->syncs(); }

 private:
  std::shared_ptr<JournalWriter> writer_;
};

}  // namespace cairn::state
