// State backends: where state is stored, how it is locked, and the journal that makes each
// completed resource durable during an apply without rewriting the whole state.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "engine/base/diag.h"
#include "engine/base/status.h"
#include "engine/state/cipher.h"
#include "engine/state/state.h"

namespace cairn::state {

/// Warnings a backend notices while it works (a journal ignored, a lock taken over), kept until
/// its caller takes them to show the user. Thread-safe.
class WarningList {
 public:
  void Add(std::string summary, std::string hint = "") {
    Diagnostic d;
    d.severity = Severity::kWarning;
    d.summary = std::move(summary);
    d.hint = std::move(hint);
    std::lock_guard<std::mutex> lock(mu_);
    items_.Add(std::move(d));
  }
  Diagnostics Take() {
    std::lock_guard<std::mutex> lock(mu_);
    Diagnostics out;
    std::swap(out, items_);
    return out;
  }

 private:
  std::mutex mu_;
  Diagnostics items_;
};

/// Who holds a state lock, so a blocked user knows whom to ask.
struct LockInfo {
  std::string id;         // random; needed by force-unlock
  std::string operation;  // the command, e.g. "apply"
  std::string who;        // user@host
  std::string host;
  int64_t pid = 0;
  std::string created;  // RFC 3339 UTC
};

/// Records resource changes durably during an apply. Thread-safe: concurrent callers are
/// batched into one write and one fsync (group commit). A call returns only once its entry
/// is on disk.
class Journal {
 public:
  virtual ~Journal() = default;
  virtual Status RecordPut(const ResourceState& r) = 0;
  virtual Status RecordDelete(const std::string& address) = 0;

  /// Queues a record without waiting for the disk and returns its ticket; WaitDurable(ticket)
  /// returns once that record and every one queued before it is durable. This lets apply keep
  /// working while one flush gathers many completed steps. The defaults record synchronously.
  virtual Result<uint64_t> QueuePut(const ResourceState& r) {
    Status s = RecordPut(r);
    if (!s.ok()) return s;
    return uint64_t{0};
  }
  virtual Result<uint64_t> QueueDelete(const std::string& address) {
    Status s = RecordDelete(address);
    if (!s.ok()) return s;
    return uint64_t{0};
  }
  virtual Status WaitDurable(uint64_t ticket) { return Status::Ok(); }

  /// Flushes and closes; after Close the journal accepts nothing more.
  virtual Status Close() = 0;
};

/// A place where state lives (local directory, etcd, ...).
class Backend {
 public:
  virtual ~Backend() = default;
  /// Human description, e.g. "local state in /x/.cairn".
  virtual std::string Describe() const = 0;

  /// Takes the exclusive lock; fails with Status::Code::kLocked naming the holder.
  virtual Result<LockInfo> Lock(const std::string& operation) = 0;
  virtual Status Unlock(const std::string& lock_id) = 0;
  /// Removes a lock left behind by a dead process; lock_id must match the holder's.
  virtual Status ForceUnlock(const std::string& lock_id) = 0;

  /// The latest state: the last snapshot plus whatever an interrupted apply journaled after it.
  /// A missing state yields an empty State with a new lineage and serial 0.
  virtual Result<State> Load() = 0;
  /// Atomically replaces the snapshot with `s` (whose serial must exceed the stored one), keeps
  /// the previous snapshot as a backup, and retires any journal.
  virtual Status Save(const State& s) = 0;
  /// Starts a journal on top of `base` (the state the apply began from).
  virtual Result<std::unique_ptr<Journal>> OpenJournal(const State& base) = 0;

  /// Encrypts what the backend writes from now on (snapshots, backups, journal records) with
  /// `cipher`; nullptr writes plain text. Reading accepts plain text and envelopes `cipher`
  /// opens, so plain state is converted by the next write once a key is configured.
  void SetCipher(std::shared_ptr<const StateCipher> cipher) { cipher_ = std::move(cipher); }
  const std::shared_ptr<const StateCipher>& cipher() const { return cipher_; }
  /// Re-encrypts the kept previous states, which `old` opens (nullptr: they are plain), under
  /// the current cipher; entries the current cipher already opens are left alone. `cairn state
  /// rekey` calls it under the lock, after saving the current state with the new cipher.
  virtual Status RekeyHistory(const StateCipher* old) {
    return Status::Error(Describe() + " cannot re-encrypt its history");
  }

  /// Warnings noticed since the last call (e.g. a journal Load ignored, a lock taken over
  /// from a dead process); the caller shows them to the user. Clears the list.
  virtual Diagnostics TakeWarnings() { return Diagnostics(); }

 protected:
  std::shared_ptr<const StateCipher> cipher_;  // set before use; read by the backend's calls
};

}  // namespace cairn::state
