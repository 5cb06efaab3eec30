#include "engine/state/etcd_journal.h"

#include <cstdio>

namespace cairn::state {
namespace {

// etcd's default limits: 128 operations and 1.5 MiB per request; stay well below both.
constexpr size_t kMaxOpsPerTxn = 100;
constexpr size_t kMaxBytesPerTxn = 768 * 1024;

std::string Padded(uint64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

std::string EtcdKeys::journal_record(uint64_t seq) const { return journal_dir() + Padded(seq, 20); }
std::string EtcdKeys::snapshot(uint64_t serial) const {
  return snap_dir() + Padded(serial, 20) + "/";
}
std::string EtcdKeys::chunk(uint64_t serial, size_t i) const {
  return snapshot(serial) + Padded(i, 6);
}

EtcdJournal::EtcdJournal(std::shared_ptr<EtcdClient> client, EtcdKeys keys,
                         std::shared_ptr<const StateCipher> cipher, uint64_t next_seq,
                         int64_t lock_revision, std::vector<Value> existing)
    : client_(std::move(client)),
      keys_(std::move(keys)),
      cipher_(std::move(cipher)),
      lock_revision_(lock_revision),
      next_seq_(next_seq) {
  for (Value& r : existing) last_[RecordAddress(r)] = std::move(r);
}

EtcdJournal::~EtcdJournal() { (void)Close(); }

bool EtcdJournal::closed() {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

uint64_t EtcdJournal::txns() {
  std::lock_guard<std::mutex> lock(mu_);
  return txns_;
}

Status EtcdJournal::RecordPut(const ResourceState& r) {
  Result<uint64_t> t = Queue(PutRecord(r));
  return t.ok() ? WaitDurable(*t) : t.status();
}

Status EtcdJournal::RecordDelete(const std::string& address) {
  Result<uint64_t> t = Queue(DeleteRecord(address));
  return t.ok() ? WaitDurable(*t) : t.status();
}

Result<uint64_t> EtcdJournal::Queue(const Value& record) {
  Result<std::string> line = EncodeRecordLine(record, cipher_.get());  // the costly part
  if (!line.ok()) return line.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Error("the etcd journal is closed");
  if (!error_.ok()) return error_;
  pending_.push_back(std::move(line).value());
  last_[RecordAddress(record)] = record;
  return ++queued_;
}

Status EtcdJournal::WaitDurable(uint64_t ticket) {
  std::unique_lock<std::mutex> lock(mu_);
  while (durable_ < ticket) {
    if (!error_.ok()) return error_;
    if (writing_) {
      cv_.wait(lock);
      continue;
    }
    // Become the leader: one transaction for everything queued so far (up to etcd's limits).
    writing_ = true;
    EtcdClient::Ops puts;
    size_t bytes = 0, taken = 0;
    // Keys are numbered here, not when queued, so that a rebase can renumber in between.
    while (taken < pending_.size() && taken < kMaxOpsPerTxn &&
           (taken == 0 || bytes + pending_[taken].size() < kMaxBytesPerTxn)) {
      bytes += pending_[taken].size();
      puts.push_back(EtcdPut(keys_.journal_record(next_seq_++), pending_[taken]));
      ++taken;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(taken));
    const uint64_t batch_end = queued_ - pending_.size();
    lock.unlock();
    EtcdClient::Ops compare;
    if (lock_revision_ != 0)
      compare.push_back(EtcdCompareCreateRevision(keys_.lock(), lock_revision_));
    bool ok = false;
    Result<nlohmann::json> r = client_->Txn(compare, puts, {}, &ok);
    lock.lock();
    writing_ = false;
    ++txns_;
    if (!r.ok()) {
      error_ = Status(r.status()).Prepend("cannot write the journal to etcd: ");
    } else if (!ok) {
      error_ = Status::Error(
          "cannot write the journal to etcd: this process no longer holds the "
          "state lock (its lease expired)",
          "the changes made so far are not recorded; run 'cairn plan' to see "
          "them");
    } else {
      durable_ = batch_end;
    }
    cv_.notify_all();
  }
  return Status::Ok();
}

Status EtcdJournal::Close() {
  uint64_t last = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return error_;
    last = queued_;
  }
  (void)WaitDurable(last);  // records queued but never waited for are written, not dropped
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !writing_; });
  closed_ = true;
  return error_;
}

Result<std::vector<nlohmann::json>> EtcdJournal::BeginRebase(const State& saved) {
  uint64_t last = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last = queued_;
  }
  Status flushed = WaitDurable(last);
  if (!flushed.ok()) return flushed;
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !writing_; });
  writing_ = true;  // held until FinishRebase
  std::vector<nlohmann::json> ops;
  // Deleting [journal/, record next_seq_) and putting records from next_seq_ on keeps the
  // transaction free of overlapping keys, which etcd refuses.
  ops.push_back(EtcdDeleteRange(keys_.journal_dir(), keys_.journal_record(next_seq_)));
  ops.push_back(EtcdPut(keys_.journal_head(), JournalHeader(saved.lineage, saved.serial)));
  rebase_last_.clear();
  rebase_next_ = next_seq_;
  for (const auto& [address, rec] : last_) {
    const ResourceState* have = saved.Find(address);
    bool reflected = rec.Find("op")->AsString() == "delete"
                         ? have == nullptr
                         : have != nullptr && ResourceToValue(*have) == *rec.Find("resource");
    if (reflected) continue;
    Result<std::string> line = EncodeRecordLine(rec, cipher_.get());
    if (!line.ok()) {
      writing_ = false;
      cv_.notify_all();
      return line.status();
    }
    ops.push_back(EtcdPut(keys_.journal_record(rebase_next_++), *line));
    rebase_last_[address] = rec;
  }
  return ops;
}

void EtcdJournal::FinishRebase(bool committed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (committed) {
    last_ = std::move(rebase_last_);
    next_seq_ = rebase_next_;
  }
  rebase_last_.clear();
  writing_ = false;
  cv_.notify_all();
}

}  // namespace cairn::state
