// EtcdBackend's snapshots, journal and history (the lock is in etcd_backend.cc).
#include <algorithm>
#include <set>

#include <openssl/evp.h>

#include "engine/base/json.h"
#include "engine/state/etcd_backend.h"
#include "engine/state/journal_format.h"

namespace cairn::state {
namespace {

constexpr int kMetaVersion = 1;
constexpr int64_t kJournalPage = 500;  // records per range request when replaying

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

// The serial in a key "<prefix>snap/<serial>/<chunk>", or 0.
uint64_t SerialOfSnapKey(const std::string& key, const std::string& snap_dir) {
  if (key.compare(0, snap_dir.size(), snap_dir) != 0) return 0;
  size_t slash = key.find('/', snap_dir.size());
  std::string num = key.substr(snap_dir.size(), slash - snap_dir.size());
  if (num.empty() || num.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoull(num);
}

// Splits `text` into pieces of at most `size` bytes (at least one piece).
std::vector<std::string> Chunks(const std::string& text, size_t size) {
  std::vector<std::string> out;
  for (size_t at = 0; at < text.size() || out.empty(); at += size)
    out.push_back(text.substr(at, size));
  return out;
}

}  // namespace

Result<std::optional<EtcdBackend::Meta>> EtcdBackend::ReadMeta(int64_t* revision) {
  Result<EtcdRange> r = client_->Range(keys_.state());
  if (!r.ok()) return Status(r.status()).Prepend("cannot read the state from etcd: ");
  *revision = r->revision;
  if (r->kvs.empty()) return std::optional<Meta>();
  const EtcdKv& kv = r->kvs[0];
  Result<Value> v = ParseJson(kv.value);
  Meta m;
  m.mod_revision = kv.mod_revision;
  auto str = [&](const char* k) -> std::string {
    const Value* f = v.ok() ? v->Find(k) : nullptr;
    return f != nullptr && f->is_string() ? f->AsString() : "";
  };
  auto num = [&](const char* k) -> int64_t {
    const Value* f = v.ok() ? v->Find(k) : nullptr;
    return f != nullptr && f->is_int() ? f->AsInt() : -1;
  };
  m.lineage = str("lineage");
  m.sha256 = str("sha256");
  m.writer = str("writer");
  int64_t version = num("cairn_etcd_state"), serial = num("serial"), chunks = num("chunks"),
          bytes = num("bytes");
  if (version > kMetaVersion) {
    return Status::Error("the state record " + keys_.state() + " has version " +
                             std::to_string(version) + ", newer than this cairn understands",
                         "upgrade cairn");
  }
  if (!v.ok() || version < 1 || m.lineage.empty() || serial < 1 || chunks < 1 || bytes < 0) {
    return Status::Error(
        "the state record " + keys_.state() + " in etcd cannot be read and was left untouched",
        "earlier snapshots are kept under " + keys_.snap_dir());
  }
  m.serial = static_cast<uint64_t>(serial);
  m.chunks = static_cast<size_t>(chunks);
  m.bytes = static_cast<size_t>(bytes);
  return std::optional<Meta>(std::move(m));
}

Result<std::string> EtcdBackend::ReadChunks(uint64_t serial, size_t chunks, int64_t revision) {
  std::string text;
  for (size_t i = 0; i < chunks; ++i) {
    Result<EtcdRange> r = client_->Range(keys_.chunk(serial, i), "", revision);
    if (!r.ok()) return Status(r.status()).Prepend("cannot read the state from etcd: ");
    if (r->kvs.empty()) {
      return Status::Error("the snapshot of serial " + std::to_string(serial) +
                           " in etcd lacks its part " + keys_.chunk(serial, i));
    }
    text += r->kvs[0].value;
  }
  return text;
}

Result<std::string> EtcdBackend::ReadSnapshot(const Meta& m, int64_t revision) {
  Result<std::string> text = ReadChunks(m.serial, m.chunks, revision);
  if (!text.ok()) return text;
  if (text->size() != m.bytes || Sha256Hex(*text) != m.sha256) {
    return Status::Error(
        "the snapshot of serial " + std::to_string(m.serial) + " under " +
            keys_.snapshot(m.serial) + " does not match its checksum",
        "it was left untouched; earlier snapshots are kept under " + keys_.snap_dir());
  }
  return OpenIfSealed(
      cipher_.get(), *text,
      "the state in etcd (" + keys_.state() + ", serial " + std::to_string(m.serial) + ")");
}

Status EtcdBackend::Replay(int64_t revision, bool stored, State* s) {
  Result<EtcdRange> head = client_->Range(keys_.journal_head(), "", revision);
  if (!head.ok()) return head.status();
  if (head->kvs.empty()) return Status::Ok();
  std::string text = head->kvs[0].value;
  std::string from = keys_.journal_dir();
  const std::string end = EtcdPrefixEnd(keys_.journal_dir());
  for (;;) {
    Result<EtcdRange> page = client_->Range(from, end, revision, kJournalPage);
    if (!page.ok()) return page.status();
    for (const EtcdKv& kv : page->kvs) text += kv.value;
    if (!page->more || page->kvs.empty()) break;
    from = page->kvs.back().key + std::string(1, '\0');
  }
  JournalContents jc;
  Status ps = ParseJournal(text, &jc, cipher_.get());
  if (ps.code() == Status::Code::kConflict) return ps.Prepend("in the etcd journal: ");
  bool matches = ps.ok() && (stored ? jc.lineage == s->lineage && jc.base_serial == s->serial
                                    : jc.base_serial == 0);
  if (!ps.ok() || !matches) {
    warnings_.Add("ignored the journal under " + keys_.journal_dir() + ": " +
                      (ps.ok() ? "it continues serial " + std::to_string(jc.base_serial) +
                                     " of lineage " + jc.lineage
                               : ps.message()),
                  "it is left over from an apply whose result was saved; the next save removes it");
    return Status::Ok();
  }
  if (!stored) s->lineage = jc.lineage;
  size_t applied = 0;
  for (const Value& rec : jc.records) {
    if (!ApplyJournalRecord(rec, s).ok()) break;
    ++applied;
  }
  if (!jc.problem.empty()) warnings_.Add("in the etcd journal: " + jc.problem);
  if (applied > 0) {
    s->serial = jc.base_serial + 1;
    warnings_.Add("recovered " + std::to_string(applied) +
                      " change(s) recorded by an interrupted apply (etcd journal)",
                  "they are saved with the next apply; run 'cairn plan' to review");
  }
  return Status::Ok();
}

Result<State> EtcdBackend::Load() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t revision = 0;
  Result<std::optional<Meta>> meta = ReadMeta(&revision);
  if (!meta.ok()) return meta.status();
  State s;
  if (meta->has_value()) {
    Result<std::string> text = ReadSnapshot(**meta, revision);
    if (!text.ok()) return text.status();
    Result<Value> v = ParseJson(*text);
    Result<State> parsed =
        v.ok() ? StateFromValue(std::move(v).value()) : Result<State>(v.status());
    if (!parsed.ok()) {
      return Status::Error("the state in etcd (serial " + std::to_string((*meta)->serial) +
                           ") cannot be read and was left untouched: " + parsed.status().message());
    }
    s = std::move(parsed).value();
    loaded_writer_ = (*meta)->writer;
  }
  Status rs = Replay(revision, meta->has_value(), &s);
  if (!rs.ok()) return rs;
  if (s.lineage.empty()) s.lineage = NewLineage();
  if (!s.history.is_list()) s.history = Value::EmptyList();
  return s;
}

Status EtcdBackend::LockLostStatus() const {
  return Status::Error(
      "refusing to save: this process no longer holds the state lock (its lease expired, or "
      "someone ran force-unlock)",
      "nothing was written; run the command again");
}

Status EtcdBackend::CheckSavable(const std::optional<Meta>& old, const State& s) {
  if (old.has_value() && old->lineage != s.lineage) {
    return Status::WithCode(
        Status::Code::kConflict,
        "refusing to save: the etcd state under " + keys_.prefix + " belongs to lineage " +
            old->lineage + ", not to the state being saved (lineage " + s.lineage + ")",
        "the prefix holds the state of another deployment; use a different state.prefix");
  }
  uint64_t stored = old.has_value() ? old->serial : 0;
  if (s.serial <= stored) {
    return Status::WithCode(Status::Code::kConflict,
                            "refusing to save serial " + std::to_string(s.serial) +
                                ": the etcd state is already at serial " + std::to_string(stored),
                            "the state changed since it was loaded (another cairn command ran); "
                            "load it again and re-plan");
  }
  return Status::Ok();
}

Status EtcdBackend::Save(const State& s) {
  if (s.lineage.empty()) return Status::Error("refusing to save a state without a lineage");
  std::lock_guard<std::mutex> lock(mu_);
  if (lock_lost_) return LockLostStatus();
  int64_t revision = 0;
  Result<std::optional<Meta>> old = ReadMeta(&revision);
  if (!old.ok()) return Status(old.status()).Prepend("refusing to save: ");
  Status st = CheckSavable(*old, s);
  if (!st.ok()) return st;
  if (old->has_value() && (*old)->writer != loaded_writer_) {
    // Not the snapshot this object read: prove the configured key opens it before replacing
    // it, so that a wrong key never overwrites the state.
    Result<std::string> readable = ReadSnapshot(**old, revision);
    if (!readable.ok()) return Status(readable.status()).Prepend("refusing to save: ");
  }
  Result<std::string> text = SealIfKeyed(cipher_.get(), StateToJson(s, 2) + "\n");
  if (!text.ok()) return text.status();
  std::vector<std::string> chunks = Chunks(*text, kChunkBytes);
  const std::string writer = NewLineage();
  Value meta = Value::EmptyMap();
  meta["cairn_etcd_state"] = kMetaVersion;
  meta["lineage"] = s.lineage;
  meta["serial"] = static_cast<int64_t>(s.serial);
  meta["chunks"] = static_cast<int64_t>(chunks.size());
  meta["bytes"] = static_cast<int64_t>(text->size());
  meta["sha256"] = Sha256Hex(*text);
  meta["writer"] = writer;

  EtcdClient::Ops compare;
  compare.push_back(old->has_value() ? EtcdCompareModRevision(keys_.state(), (*old)->mod_revision)
                                     : EtcdCompareCreateRevision(keys_.state(), 0));
  if (held_.has_value()) compare.push_back(EtcdCompareCreateRevision(keys_.lock(), lock_revision_));
  EtcdClient::Ops failure = {EtcdRangeRequest(keys_.state()), EtcdRangeRequest(keys_.lock())};
  EtcdClient::Ops ops;
  if (chunks.size() == 1) {
    ops.push_back(EtcdPut(keys_.chunk(s.serial, 0), chunks[0]));
  } else {
    // Too large for one request: the parts go first, each on its own; nothing points at them
    // until the transaction below, so a crash in between leaves only unused keys. Each part
    // is written only while the state and the lock are as read, so that a save that lost the
    // race never overwrites the parts of the one that won.
    for (size_t i = 0; i < chunks.size(); ++i) {
      bool put = false;
      Result<nlohmann::json> r =
          client_->Txn(compare, {EtcdPut(keys_.chunk(s.serial, i), chunks[i])}, failure, &put);
      if (!r.ok()) return Status(r.status()).Prepend("cannot write the state to etcd: ");
      if (!put) return LostSaveStatus(*r, s.serial);
    }
  }
  // Parts left by an interrupted save of this serial with more parts.
  ops.push_back(EtcdDeleteRange(keys_.chunk(s.serial, chunks.size()),
                                EtcdPrefixEnd(keys_.snapshot(s.serial))));
  ops.push_back(EtcdPut(keys_.state(), DumpJson(meta)));
  std::shared_ptr<EtcdJournal> journal = journal_.lock();
  if (journal != nullptr && journal->closed()) journal = nullptr;
  if (journal != nullptr) {
    Result<std::vector<nlohmann::json>> rebase = journal->BeginRebase(s);
    if (!rebase.ok()) return rebase.status();
    for (nlohmann::json& op : *rebase) ops.push_back(std::move(op));
  } else {
    ops.push_back(EtcdDeleteRange(keys_.journal_head()));
    ops.push_back(EtcdDeleteRange(keys_.journal_dir(), EtcdPrefixEnd(keys_.journal_dir())));
  }
  bool committed = false;
  Result<nlohmann::json> r = client_->Txn(compare, ops, failure, &committed);
  if (r.ok() && !committed) {
    // A transaction repeated after its answer was lost finds its own write in place.
    std::vector<EtcdKv> now = EtcdTxnRange(*r, 0);
    Result<Value> v = now.empty() ? Result<Value>(Status::Error("")) : ParseJson(now[0].value);
    const Value* w = v.ok() ? v->Find("writer") : nullptr;
    if (w != nullptr && w->is_string() && w->AsString() == writer) committed = true;
  }
  if (journal != nullptr) journal->FinishRebase(committed);
  if (!r.ok()) return Status(r.status()).Prepend("cannot write the state to etcd: ");
  if (!committed) return LostSaveStatus(*r, s.serial);
  loaded_writer_ = writer;
  PruneHistory(s.serial);
  return Status::Ok();
}

Status EtcdBackend::LostSaveStatus(const nlohmann::json& failed, uint64_t serial) {
  std::vector<EtcdKv> lk = EtcdTxnRange(failed, 1);
  if (held_.has_value() && (lk.empty() || lk[0].create_revision != lock_revision_)) {
    return LockLostStatus();
  }
  int64_t ignored = 0;
  Result<std::optional<Meta>> now = ReadMeta(&ignored);
  uint64_t at = now.ok() && now->has_value() ? (*now)->serial : 0;
  return Status::WithCode(Status::Code::kConflict,
                          "refusing to save serial " + std::to_string(serial) +
                              ": the etcd state changed meanwhile (now at serial " +
                              std::to_string(at) + ")",
                          "another cairn command wrote it; load it again and re-plan");
}

void EtcdBackend::PruneHistory(uint64_t current) {
  Result<EtcdRange> r =
      client_->Range(keys_.snap_dir(), EtcdPrefixEnd(keys_.snap_dir()), 0, 0, true);
  if (!r.ok()) return;
  std::set<uint64_t> serials;
  for (const EtcdKv& kv : r->kvs) serials.insert(SerialOfSnapKey(kv.key, keys_.snap_dir()));
  std::vector<uint64_t> older;
  for (uint64_t serial : serials) {
    // Above the current serial: parts of a save that never committed (only under the lock can
    // this process be sure no other save is writing them now).
    if (serial > current && held_.has_value()) older.insert(older.begin(), serial);
    if (serial < current && serial > 0) older.push_back(serial);
  }
  std::vector<uint64_t> drop;
  size_t kept = 0;
  for (auto it = older.rbegin(); it != older.rend(); ++it) {
    if (*it < current && kept < kKeepHistory) {
      ++kept;
      continue;
    }
    drop.push_back(*it);
  }
  for (uint64_t serial : drop) {
    (void)client_->Call(
        "kv/deleterange",
        EtcdDeleteRange(keys_.snapshot(serial),
                        EtcdPrefixEnd(keys_.snapshot(serial)))["request_delete_range"]);
  }
}

Result<std::vector<uint64_t>> EtcdBackend::HistorySerials() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t revision = 0;
  Result<std::optional<Meta>> meta = ReadMeta(&revision);
  if (!meta.ok()) return meta.status();
  uint64_t current = meta->has_value() ? (*meta)->serial : 0;
  Result<EtcdRange> r =
      client_->Range(keys_.snap_dir(), EtcdPrefixEnd(keys_.snap_dir()), revision, 0, true);
  if (!r.ok()) return r.status();
  std::set<uint64_t> serials;
  for (const EtcdKv& kv : r->kvs) {
    uint64_t serial = SerialOfSnapKey(kv.key, keys_.snap_dir());
    if (serial > 0 && serial < current) serials.insert(serial);
  }
  return std::vector<uint64_t>(serials.begin(), serials.end());
}

Result<std::string> EtcdBackend::SnapshotText(uint64_t serial) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<EtcdRange> r =
      client_->Range(keys_.snapshot(serial), EtcdPrefixEnd(keys_.snapshot(serial)), 0, 0, true);
  if (!r.ok()) return r.status();
  if (r->kvs.empty()) {
    return Status::WithCode(Status::Code::kNotFound,
                            "no snapshot of serial " + std::to_string(serial) + " is kept");
  }
  Result<std::string> text = ReadChunks(serial, r->kvs.size(), r->revision);
  if (!text.ok()) return text;
  return OpenIfSealed(cipher_.get(), *text, "the snapshot of serial " + std::to_string(serial));
}

Status EtcdBackend::RekeyHistory(const StateCipher* old) {
  Result<std::vector<uint64_t>> serials = HistorySerials();
  if (!serials.ok()) return serials.status();
  std::lock_guard<std::mutex> lock(mu_);
  for (uint64_t serial : *serials) {
    Result<EtcdRange> keys =
        client_->Range(keys_.snapshot(serial), EtcdPrefixEnd(keys_.snapshot(serial)), 0, 0, true);
    if (!keys.ok()) return keys.status();
    Result<std::string> text = ReadChunks(serial, keys->kvs.size(), keys->revision);
    if (!text.ok()) return text.status();
    Result<std::string> next = ReencryptedText(old, cipher_.get(), *text,
                                               "the snapshot of serial " + std::to_string(serial));
    if (!next.ok()) return next.status();
    if (next->empty()) continue;
    std::vector<std::string> chunks = Chunks(*next, kChunkBytes);
    for (size_t i = 0; i < chunks.size(); ++i) {
      Result<nlohmann::json> put =
          client_->Call("kv/put", EtcdPut(keys_.chunk(serial, i), chunks[i])["request_put"]);
      if (!put.ok()) return put.status();
    }
    Result<nlohmann::json> del = client_->Call(
        "kv/deleterange",
        EtcdDeleteRange(keys_.chunk(serial, chunks.size()),
                        EtcdPrefixEnd(keys_.snapshot(serial)))["request_delete_range"]);
    if (!del.ok()) return del.status();
  }
  return Status::Ok();
}

Result<std::unique_ptr<Journal>> EtcdBackend::OpenJournal(const State& base) {
  if (base.lineage.empty()) return Status::Error("cannot journal a state without a lineage");
  std::lock_guard<std::mutex> lock(mu_);
  if (std::shared_ptr<EtcdJournal> j = journal_.lock(); j != nullptr && !j->closed()) {
    return Status::Error("a journal is already open for " + Describe());
  }
  int64_t revision = 0;
  Result<std::optional<Meta>> meta = ReadMeta(&revision);
  if (!meta.ok()) return meta.status();
  if (meta->has_value() && (*meta)->lineage != base.lineage) {
    return Status::WithCode(Status::Code::kConflict,
                            "cannot journal on top of lineage " + base.lineage +
                                ": the etcd state belongs to lineage " + (*meta)->lineage,
                            "load the state again");
  }
  const uint64_t snapshot_serial = meta->has_value() ? (*meta)->serial : 0;
  // Keep a journal that still matches the snapshot: its records are in no snapshot yet.
  Result<EtcdRange> head = client_->Range(keys_.journal_head(), "", revision);
  if (!head.ok()) return head.status();
  Result<EtcdRange> recs =
      client_->Range(keys_.journal_dir(), EtcdPrefixEnd(keys_.journal_dir()), revision, 0, false);
  if (!recs.ok()) return recs.status();
  std::vector<Value> existing;
  uint64_t next_seq = 1;
  bool keep = false;
  if (!head->kvs.empty()) {
    std::string text = head->kvs[0].value;
    for (const EtcdKv& kv : recs->kvs) text += kv.value;
    JournalContents jc;
    keep = ParseJournal(text, &jc, cipher_.get()).ok() && jc.base_serial == snapshot_serial &&
           jc.lineage == base.lineage && jc.problem.empty();
    if (keep) existing = std::move(jc.records);
  }
  if (keep && !recs->kvs.empty()) {
    const std::string& last = recs->kvs.back().key;
    next_seq = std::stoull(last.substr(keys_.journal_dir().size())) + 1;
  }
  if (!keep) {
    // Only while the lock is ours: the journal being replaced may be a new holder's.
    EtcdClient::Ops compare;
    if (held_.has_value())
      compare.push_back(EtcdCompareCreateRevision(keys_.lock(), lock_revision_));
    bool done = false;
    Result<nlohmann::json> r =
        client_->Txn(compare,
                     {EtcdDeleteRange(keys_.journal_dir(), EtcdPrefixEnd(keys_.journal_dir())),
                      EtcdPut(keys_.journal_head(), JournalHeader(base.lineage, snapshot_serial))},
                     {}, &done);
    if (!r.ok()) return Status(r.status()).Prepend("cannot start the journal in etcd: ");
    if (!done) return LockLostStatus();
  }
  auto journal =
      std::make_shared<EtcdJournal>(client_, keys_, cipher_, next_seq,
                                    held_.has_value() ? lock_revision_ : 0, std::move(existing));
  journal_ = journal;
  return std::unique_ptr<Journal>(new EtcdJournalHandle(std::move(journal)));
}

}  // namespace cairn::state
