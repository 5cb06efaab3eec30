#include "engine/state/memory_backend.h"

#include <deque>
#include <map>
#include <mutex>
#include <vector>

#include "engine/base/json.h"
#include "engine/state/journal_format.h"
#include "engine/state/lock_info.h"

namespace cairn::state {

struct InMemoryBackend::Shared {
  mutable std::mutex mu;
  std::string snapshot;  // state file text; empty when nothing was saved
  std::string lineage;   // of the snapshot
  uint64_t serial = 0;
  std::deque<std::pair<uint64_t, std::string>> backups;
  std::optional<LockInfo> holder;
  Status fail_next_save;
  int saves = 0;
  Diagnostics warnings;
  // The journal "file": it survives a dropped Journal object just as a file survives a crash.
  bool has_journal = false;
  std::string journal_lineage;
  uint64_t journal_serial = 0;
  std::vector<Value> records;
  uint64_t open_journal = 0;  // generation of the open journal, 0 when none
  uint64_t generation = 0;
};

namespace {

constexpr size_t kKeepBackups = 10;

/// A journal appending to InMemoryBackend's shared record list.
class MemoryJournal : public Journal {
 public:
  MemoryJournal(std::shared_ptr<InMemoryBackend::Shared> s, uint64_t gen)
      : shared_(std::move(s)), gen_(gen) {}
  ~MemoryJournal() override { (void)Close(); }
  MemoryJournal(const MemoryJournal&) = delete;
  MemoryJournal& operator=(const MemoryJournal&) = delete;

  Status RecordPut(const ResourceState& r) override { return Append(PutRecord(r)); }
  Status RecordDelete(const std::string& address) override { return Append(DeleteRecord(address)); }
  Status Close() override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (shared_->open_journal == gen_) shared_->open_journal = 0;
    closed_ = true;
    return Status::Ok();
  }

 private:
  Status Append(Value record) {
    std::lock_guard<std::mutex> lock(shared_->mu);
    if (closed_ || shared_->open_journal != gen_) return Status::Error("the journal is closed");
    shared_->records.push_back(std::move(record));
    return Status::Ok();
  }

  std::shared_ptr<InMemoryBackend::Shared> shared_;
  const uint64_t gen_;
  bool closed_ = false;
};

void Warn(Diagnostics* ds, std::string summary) {
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.summary = std::move(summary);
  ds->Add(std::move(d));
}

}  // namespace

InMemoryBackend::InMemoryBackend() : shared_(std::make_shared<Shared>()) {}
InMemoryBackend::~InMemoryBackend() = default;

Result<LockInfo> InMemoryBackend::Lock(const std::string& operation) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->holder.has_value()) return LockedStatus(*shared_->holder);
  shared_->holder = NewLockInfo(operation);
  return *shared_->holder;
}

Status InMemoryBackend::Unlock(const std::string& lock_id) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (!shared_->holder.has_value()) {
    return Status::WithCode(Status::Code::kNotFound, "the state is not locked");
  }
  if (shared_->holder->id != lock_id) {
    return Status::WithCode(
        Status::Code::kConflict,
        "lock id " + lock_id + " does not match the held lock " + shared_->holder->id);
  }
  shared_->holder.reset();
  return Status::Ok();
}

Status InMemoryBackend::ForceUnlock(const std::string& lock_id) { return Unlock(lock_id); }

Result<State> InMemoryBackend::Load() {
  std::lock_guard<std::mutex> lock(shared_->mu);
  State s;
  if (!shared_->snapshot.empty()) {
    Result<Value> v = ParseJson(shared_->snapshot);
    if (!v.ok()) return v.status();
    Result<State> parsed = StateFromValue(*v);
    if (!parsed.ok()) return parsed.status();
    s = std::move(parsed).value();
  }
  bool stored = !shared_->snapshot.empty();
  if (shared_->has_journal) {
    bool matches =
        stored ? shared_->journal_lineage == s.lineage && shared_->journal_serial == s.serial
               : shared_->journal_serial == 0;
    if (!matches) {
      Warn(&shared_->warnings, "ignored a journal of another lineage or serial");
    } else {
      if (!stored) s.lineage = shared_->journal_lineage;
      for (const Value& rec : shared_->records) {
        Status as = ApplyJournalRecord(rec, &s);
        if (!as.ok()) return as;
      }
      if (!shared_->records.empty()) s.serial = shared_->journal_serial + 1;
    }
  }
  if (s.lineage.empty()) s.lineage = NewLineage();
  if (!s.history.is_list()) s.history = Value::EmptyList();
  return s;
}

Status InMemoryBackend::Save(const State& s) {
  if (s.lineage.empty()) return Status::Error("refusing to save a state without a lineage");
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (!shared_->fail_next_save.ok()) {
    Status st = shared_->fail_next_save;
    shared_->fail_next_save = Status::Ok();
    return st;
  }
  bool stored = !shared_->snapshot.empty();
  if (stored && shared_->lineage != s.lineage) {
    return Status::WithCode(Status::Code::kConflict,
                            "refusing to save: the stored state belongs to lineage " +
                                shared_->lineage + ", not " + s.lineage);
  }
  uint64_t stored_serial = stored ? shared_->serial : 0;
  if (s.serial <= stored_serial) {
    return Status::WithCode(Status::Code::kConflict,
                            "refusing to save serial " + std::to_string(s.serial) +
                                ": the stored state is already at serial " +
                                std::to_string(stored_serial));
  }
  if (stored) {
    shared_->backups.emplace_back(shared_->serial, shared_->snapshot);
    while (shared_->backups.size() > kKeepBackups) shared_->backups.pop_front();
  }
  shared_->snapshot = StateToJson(s, 2);
  shared_->lineage = s.lineage;
  shared_->serial = s.serial;
  ++shared_->saves;
  if (shared_->open_journal != 0) {
    // Same rule as LocalBackend: keep the newest record per address unless the snapshot
    // already agrees with it.
    std::map<std::string, Value> last;
    for (Value& rec : shared_->records) last[RecordAddress(rec)] = std::move(rec);
    shared_->records.clear();
    for (auto& [addr, rec] : last) {
      const ResourceState* have = s.Find(addr);
      bool reflected = rec.Find("op")->AsString() == "delete"
                           ? have == nullptr
                           : have != nullptr && ResourceToValue(*have) == *rec.Find("resource");
      if (!reflected) shared_->records.push_back(std::move(rec));
    }
    shared_->journal_lineage = s.lineage;
    shared_->journal_serial = s.serial;
  } else {
    shared_->has_journal = false;
    shared_->records.clear();
  }
  return Status::Ok();
}

Result<std::unique_ptr<Journal>> InMemoryBackend::OpenJournal(const State& base) {
  if (base.lineage.empty()) return Status::Error("cannot journal a state without a lineage");
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->open_journal != 0) return Status::Error("a journal is already open");
  bool stored = !shared_->snapshot.empty();
  if (stored && shared_->lineage != base.lineage) {
    return Status::WithCode(Status::Code::kConflict,
                            "cannot journal on top of lineage " + base.lineage +
                                ": the stored state belongs to lineage " + shared_->lineage);
  }
  uint64_t snapshot_serial = stored ? shared_->serial : 0;
  bool keep = shared_->has_journal && shared_->journal_serial == snapshot_serial &&
              shared_->journal_lineage == base.lineage;
  if (!keep) {
    shared_->records.clear();
    shared_->journal_lineage = base.lineage;
    shared_->journal_serial = snapshot_serial;
  }
  shared_->has_journal = true;
  shared_->open_journal = ++shared_->generation;
  return std::unique_ptr<Journal>(new MemoryJournal(shared_, shared_->open_journal));
}

Diagnostics InMemoryBackend::TakeWarnings() {
  std::lock_guard<std::mutex> lock(shared_->mu);
  Diagnostics out;
  std::swap(out, shared_->warnings);
  return out;
}

void InMemoryBackend::SetLockHolder(const LockInfo& holder) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->holder = holder;
}

void InMemoryBackend::FailNextSave(Status s) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->fail_next_save = std::move(s);
}

int InMemoryBackend::save_count() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->saves;
}

std::string InMemoryBackend::snapshot_json() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->snapshot;
}

std::vector<uint64_t> InMemoryBackend::backup_serials() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  std::vector<uint64_t> out;
  for (const auto& [serial, text] : shared_->backups) out.push_back(serial);
  return out;
}

size_t InMemoryBackend::journal_records() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->has_journal ? shared_->records.size() : 0;
}

}  // namespace cairn::state
