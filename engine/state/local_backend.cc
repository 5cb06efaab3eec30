#include "engine/state/local_backend.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <vector>

#include <dirent.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/json.h"
#include "engine/state/file_io.h"
#include "engine/state/journal_format.h"
#include "engine/state/journal_writer.h"
#include "engine/state/json_reader.h"
#include "engine/state/lock_info.h"

namespace cairn::state {
namespace {

constexpr mode_t kDirMode = 0700;  // state holds secrets
constexpr mode_t kFileMode = 0600;

// Backups present, as (serial, file name), oldest first.
std::vector<std::pair<uint64_t, std::string>> ListBackups(const std::string& dir) {
  std::vector<std::pair<uint64_t, std::string>> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    const std::string prefix = "state.", suffix = ".json";
    if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix)) {
      continue;
    }
    std::string num = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos) continue;
    out.emplace_back(std::stoull(num), name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

/// Builds a Value straight from nlohmann's SAX events, with the same result as ParseJson but
/// without the intermediate json tree, which doubled the cost of loading a large state.
class ValueBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit ValueBuilder(Value* root) : root_(root) {}

  bool null() override {
    Slot();
    return true;
  }
  bool boolean(bool b) override { return Put(b); }
  bool number_integer(number_integer_t n) override { return Put(static_cast<int64_t>(n)); }
  bool number_unsigned(number_unsigned_t n) override { return Put(static_cast<int64_t>(n)); }
  bool number_float(number_float_t d, const string_t&) override { return Put(d); }
  bool string(string_t& str) override { return Put(std::move(str)); }
  bool binary(binary_t&) override { return false; }  // JSON text has no binary values
  bool start_object(std::size_t) override { return Open(Value::EmptyMap()); }
  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }
  bool end_object() override {
    // {"$unknown": "origin"} is how ToJson writes an unknown value (as FromJson reads it).
    Value& v = *stack_.back();
    if (v.size() == 1) {
      const Value* origin = v.Find("$unknown");
      if (origin != nullptr && origin->is_string()) v = Value::Unknown(origin->AsString());
    }
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override { return Open(Value::EmptyList()); }
  bool end_array() override {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // Places a scalar into the open container (or as the root); a later duplicate key wins, as
  // in nlohmann's own parser.
  template <typename T>
  bool Put(T&& v) {
    Slot() = Value(std::forward<T>(v));
    return true;
  }
  bool Open(Value v) {
    Value& slot = Slot();
    slot = std::move(v);
    stack_.push_back(&slot);
    return true;
  }
  Value& Slot() {
    if (stack_.empty()) return *root_;
    Value& top = *stack_.back();
    if (top.is_list()) {
      top.MutableList().emplace_back();
      return top.MutableList().back();
    }
    return top[key_];
  }

  Value* root_;
  std::vector<Value*> stack_;  // open containers; pointers stay valid as only the top grows
  std::string key_;
};

// Parses the state file's JSON into *out. On an error it parses again with ParseJson, only to
// report the error exactly as everywhere else.
Status ParseStateJson(const std::string& text, Value* out) {
  if (ReadJsonFast(text, out)) return Status::Ok();
  *out = Value();
  ValueBuilder builder(out);
  if (nlohmann::json::sax_parse(text, &builder)) return Status::Ok();
  Result<Value> again = ParseJson(text);
  return again.ok() ? Status::Error("invalid JSON") : again.status();
}

Status StatFile(const std::string& path, struct stat* st) {
  if (stat(path.c_str(), st) == 0) return Status::Ok();
  int err = errno;
  if (err == ENOENT) return Status::WithCode(Status::Code::kNotFound, path + " does not exist");
  return ErrnoStatus("cannot stat", path, err);
}

}  // namespace

LocalBackend::LocalBackend(std::string dir, size_t keep_backups)
    : dir_(std::move(dir)), keep_backups_(keep_backups), lock_(dir_ + "/state.lock") {}

LocalBackend::~LocalBackend() = default;

std::string LocalBackend::DefaultDir(const std::string& blueprint_path) {
  std::string parent = std::filesystem::path(blueprint_path).parent_path().string();
  return (parent.empty() ? std::string(".") : parent) + "/.cairn";
}

std::string LocalBackend::Describe() const { return "local state in " + dir_; }

Result<LockInfo> LocalBackend::FinishLock(Result<LockInfo> r,
                                          const std::optional<LockInfo>& stale) {
  if (r.ok() && stale.has_value()) {
    warnings_.Add("took over the state lock left by " + stale->who + " (pid " +
                      std::to_string(stale->pid) + ") for '" + stale->operation + "' since " +
                      stale->created + ": that process has ended",
                  "if that command was interrupted, check its resources with 'cairn plan'");
  }
  return r;
}

Result<LockInfo> LocalBackend::Lock(const std::string& operation) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = MakeDirs(dir_, kDirMode);
  if (!s.ok()) return s;
  std::optional<LockInfo> stale;
  Result<LockInfo> r = lock_.TryLock(operation, &stale);
  return FinishLock(std::move(r), stale);
}

Result<LockInfo> LocalBackend::Lock(const std::string& operation,
                                    std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = MakeDirs(dir_, kDirMode);
  if (!s.ok()) return s;
  std::optional<LockInfo> stale;
  Result<LockInfo> r = lock_.LockWithin(operation, timeout, &stale);
  return FinishLock(std::move(r), stale);
}

Status LocalBackend::Unlock(const std::string& lock_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return lock_.Unlock(lock_id);
}

Status LocalBackend::ForceUnlock(const std::string& lock_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return lock_.ForceUnlock(lock_id);
}

void LocalBackend::Remember(const State& s) {
  struct stat st;
  if (stat(state_path().c_str(), &st) != 0) {
    cache_ = Stored();
    return;
  }
  cache_.exists = true;
  cache_.lineage = s.lineage;
  cache_.serial = s.serial;
  cache_.dev = st.st_dev;
  cache_.ino = st.st_ino;
  cache_.size = static_cast<uint64_t>(st.st_size);
  cache_.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

Status LocalBackend::ReadStored(Stored* out, State* full) {
  struct stat st;
  Status s = StatFile(state_path(), &st);
  if (s.code() == Status::Code::kNotFound) {
    *out = Stored();
    return Status::Ok();
  }
  if (!s.ok()) return s;
  int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  if (full == nullptr && cache_.exists && cache_.dev == st.st_dev && cache_.ino == st.st_ino &&
      cache_.size == static_cast<uint64_t>(st.st_size) && cache_.mtime_ns == mtime) {
    *out = cache_;
    return Status::Ok();
  }
  std::string text;
  s = ReadWholeFile(state_path(), &text);
  if (s.code() == Status::Code::kNotFound) {
    *out = Stored();
    return Status::Ok();
  }
  if (!s.ok()) return s;
  Result<std::string> opened = OpenIfSealed(cipher_.get(), text, "the state file " + state_path());
  if (!opened.ok()) return opened.status();
  std::optional<State> prefetched;
  if (full != nullptr && prefetch_ != nullptr) {
    prefetched = prefetch_->TakeIfSame(state_path(), *opened);
    prefetch_.reset();
  }
  auto parse = [&]() -> Result<State> {
    if (prefetched.has_value()) return std::move(*prefetched);
    Value root;
    Status ps = ParseStateJson(*opened, &root);
    return ps.ok() ? StateFromValue(std::move(root)) : Result<State>(ps);
  };
  Result<State> parsed = parse();
  if (!parsed.ok()) {
    std::vector<std::pair<uint64_t, std::string>> backups = ListBackups(backups_dir());
    std::string hint =
        backups.empty()
            ? "no backups exist; fix the file by hand or move it away to start from empty state"
            : "restore the newest good backup, e.g. cp " + backups_dir() + "/" +
                  backups.back().second + " " + state_path() + " (backups are in " + backups_dir() +
                  "/)";
    return Status::Error("the state file " + state_path() +
                             " cannot be read and was left untouched: " + parsed.status().message(),
                         hint);
  }
  Remember(*parsed);
  *out = cache_;
  if (full != nullptr) *full = std::move(parsed).value();
  return Status::Ok();
}

Result<State> LocalBackend::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  State s;
  Stored stored;
  Status st = ReadStored(&stored, &s);
  if (!st.ok()) return st;
  if (!stored.exists) s = State();

  std::string text;
  st = ReadWholeFile(journal_path(), &text);
  if (st.ok()) {
    JournalContents jc;
    Status ps = ParseJournal(text, &jc, cipher_.get());
    if (ps.code() == Status::Code::kConflict) return ps.Prepend("in " + journal_path() + ": ");
    // Without state.json, a journal on serial 0 is the first apply of this state, interrupted
    // before its first save: it carries the lineage.
    bool matches = ps.ok() && (stored.exists ? jc.lineage == s.lineage && jc.base_serial == s.serial
                                             : jc.base_serial == 0);
    if (!ps.ok()) {
      warnings_.Add(
          "ignored " + journal_path() + ": " + ps.message(),
          "the next save replaces it; if an apply was interrupted, run 'cairn plan' to see "
          "what its changes left behind");
    } else if (!matches) {
      warnings_.Add(
          "ignored " + journal_path() + ": it continues lineage " + jc.lineage + " serial " +
              std::to_string(jc.base_serial) + ", but " +
              (stored.exists
                   ? "state.json has lineage " + s.lineage + " serial " + std::to_string(s.serial)
                   : std::string("state.json does not exist")),
          "it is left over from an apply whose result was saved, or from another state; the "
          "next save removes it");
    } else {
      if (!stored.exists) s.lineage = jc.lineage;
      size_t applied = 0;
      for (const Value& rec : jc.records) {
        Status as = ApplyJournalRecord(rec, &s);
        if (!as.ok()) {
          warnings_.Add("stopped replaying " + journal_path() + " at record " +
                        std::to_string(applied + 1) + ": " + as.message());
          break;
        }
        ++applied;
      }
      if (!jc.problem.empty()) warnings_.Add("in " + journal_path() + ": " + jc.problem);
      if (applied > 0) {
        // The replayed state differs from the snapshot, so it gets its own serial. Saving it
        // (with this serial or any higher one) is accepted because the snapshot is at base.
        s.serial = jc.base_serial + 1;
        warnings_.Add("recovered " + std::to_string(applied) +
                          " change(s) recorded by an interrupted apply (" + journal_path() + ")",
                      "they are saved with the next apply; run 'cairn plan' to review");
      }
    }
  } else if (st.code() != Status::Code::kNotFound) {
    return st;
  }
  if (s.lineage.empty()) s.lineage = NewLineage();
  if (!s.history.is_list()) s.history = Value::EmptyList();
  return s;
}

Status LocalBackend::KeepBackup(const Stored& old) {
  Status s = MakeDirs(backups_dir(), kDirMode);
  if (!s.ok()) return s;
  std::string target = backups_dir() + "/state." + std::to_string(old.serial) + ".json";
  unlink(target.c_str());
  // A hard link costs nothing and the old inode is never written again: Save renames a new file
  // over state.json instead of rewriting it.
  if (link(state_path().c_str(), target.c_str()) != 0) {
    std::string text;
    s = ReadWholeFile(state_path(), &text);
    if (!s.ok()) return s;
    return ReplaceFileAtomically(target, text, kFileMode);
  }
  return SyncDir(backups_dir());
}

void LocalBackend::PruneBackups() {
  std::vector<std::pair<uint64_t, std::string>> backups = ListBackups(backups_dir());
  for (size_t i = 0; i + keep_backups_ < backups.size(); ++i) {
    unlink((backups_dir() + "/" + backups[i].second).c_str());
  }
}

void LocalBackend::RemoveStaleTemps() {
  // Under the lock no other cairn is writing here, so every temp file is a crash's leftover.
  DIR* d = opendir(dir_.c_str());
  if (d == nullptr) return;
  std::vector<std::string> stale;
  while (struct dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("state.json.tmp.", 0) == 0 || name.rfind("state.journal.tmp.", 0) == 0) {
      stale.push_back(dir_ + "/" + name);
    }
  }
  closedir(d);
  for (const std::string& path : stale) unlink(path.c_str());
}

Status LocalBackend::Save(const State& s) {
  if (s.lineage.empty()) return Status::Error("refusing to save a state without a lineage");
  std::lock_guard<std::mutex> lock(mu_);
  Status st = MakeDirs(dir_, kDirMode);
  if (!st.ok()) return st;
  Stored old;
  st = ReadStored(&old, nullptr);
  if (!st.ok()) return st.Prepend("refusing to save: ");
  if (old.exists && old.lineage != s.lineage) {
    return Status::WithCode(
        Status::Code::kConflict,
        "refusing to save: " + state_path() + " belongs to lineage " + old.lineage +
            ", not to the state being saved (lineage " + s.lineage + ")",
        "the directory holds the state of another deployment; use a different state directory "
        "or move that state away");
  }
  uint64_t stored_serial = old.exists ? old.serial : 0;
  if (s.serial <= stored_serial) {
    return Status::WithCode(
        Status::Code::kConflict,
        "refusing to save serial " + std::to_string(s.serial) + ": " + state_path() +
            " is already at serial " + std::to_string(stored_serial),
        "the state changed since it was loaded (another cairn command ran); load it again and "
        "re-plan");
  }
  Value::List written;  // the resources as written, for the journal's rebase below
  Result<std::string> text = SealIfKeyed(cipher_.get(), StateToJson(s, 2, &written) + "\n");
  if (!text.ok()) return text.status();
  if (old.exists) {
    Status b = KeepBackup(old);
    if (!b.ok())
      warnings_.Add("could not keep a backup of serial " + std::to_string(old.serial) + ": " +
                    b.message());
  }
  st = ReplaceFileAtomically(state_path(), *text, kFileMode);
  if (!st.ok()) return st;
  Remember(s);

  // The journal's records are in the snapshot now: restart an open journal on top of it, or
  // retire a leftover one.
  if (std::shared_ptr<JournalWriter> w = journal_.lock(); w != nullptr && !w->closed()) {
    st = w->Rebase(s, written);
    if (!st.ok()) return st;
  } else if (unlink(journal_path().c_str()) == 0) {
    st = SyncDir(dir_);
    if (!st.ok()) return st;
  }
  PruneBackups();
  if (lock_.held()) RemoveStaleTemps();
  return Status::Ok();
}

Result<std::unique_ptr<Journal>> LocalBackend::OpenJournal(const State& base) {
  if (base.lineage.empty()) return Status::Error("cannot journal a state without a lineage");
  std::lock_guard<std::mutex> lock(mu_);
  Status st = MakeDirs(dir_, kDirMode);
  if (!st.ok()) return st;
  if (std::shared_ptr<JournalWriter> w = journal_.lock(); w != nullptr && !w->closed()) {
    return Status::Error("a journal is already open for " + state_path(),
                         "close the previous journal first");
  }
  Stored stored;
  st = ReadStored(&stored, nullptr);
  if (!st.ok()) return st;
  if (stored.exists && stored.lineage != base.lineage) {
    return Status::WithCode(Status::Code::kConflict,
                            "cannot journal on top of lineage " + base.lineage + ": " +
                                state_path() + " belongs to lineage " + stored.lineage,
                            "load the state again");
  }
  const uint64_t snapshot_serial = stored.exists ? stored.serial : 0;

  // A journal that still matches the snapshot holds changes no snapshot has yet (Load
  // replayed them into `base`); new records go after them so that none is lost.
  std::string text;
  std::shared_ptr<JournalWriter> writer;
  if (ReadWholeFile(journal_path(), &text).ok()) {
    JournalContents jc;
    if (ParseJournal(text, &jc, cipher_.get()).ok() && jc.base_serial == snapshot_serial &&
        (stored.exists || !jc.records.empty())) {
      if (jc.lineage != base.lineage) {
        return Status::WithCode(Status::Code::kConflict,
                                "cannot journal on top of lineage " + base.lineage + ": " +
                                    journal_path() + " holds unsaved changes of lineage " +
                                    jc.lineage,
                                "load the state again");
      }
      Result<std::shared_ptr<JournalWriter>> w =
          JournalWriter::Continue(journal_path(), jc, cipher_);
      if (!w.ok()) return w.status();
      writer = std::move(w).value();
    }
  }
  if (writer == nullptr) {
    Result<std::shared_ptr<JournalWriter>> w =
        JournalWriter::Create(journal_path(), base.lineage, snapshot_serial, cipher_);
    if (!w.ok()) return w.status();
    writer = std::move(w).value();
  }
  journal_ = writer;
  return std::unique_ptr<Journal>(new LocalJournal(std::move(writer)));
}

}  // namespace cairn::state

namespace cairn::state {

Status LocalBackend::RekeyHistory(const StateCipher* old) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [serial, name] : ListBackups(backups_dir())) {
    std::string path = backups_dir() + "/" + name, text;
    Status s = ReadWholeFile(path, &text);
    if (!s.ok()) return s;
    Result<std::string> plain = ReencryptedText(old, cipher_.get(), text, "the backup " + path);
    if (!plain.ok()) return plain.status();
    if (plain->empty()) continue;  // already under the current key
    // A new file, not a rewrite: the backup may be a hard link to an older state.json.
    s = ReplaceFileAtomically(path, *plain, kFileMode);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace cairn::state
