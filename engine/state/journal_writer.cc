#include "engine/state/journal_writer.h"

#include <cerrno>
#include <string_view>
#include <unordered_map>

#include <fcntl.h>
#include <unistd.h>

#include "engine/state/file_io.h"

namespace cairn::state {
namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes `content` to a temp file, syncs it, renames it over `path` and returns the open fd,
// positioned at the end, so that appends continue in the new file.
Result<int> WriteFresh(const std::string& path, const std::string& content) {
  std::string tmp = TempNameFor(path);
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot create journal", tmp, errno);
  if (!WriteAll(fd, content.data(), content.size()) || fdatasync(fd) != 0 ||
      rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    close(fd);
    unlink(tmp.c_str());
    return ErrnoStatus("cannot write journal", path, err);
  }
  Status s = SyncDir(DirOf(path));
  if (!s.ok()) {
    close(fd);
    return s;
  }
  return fd;
}

// Longest a leader waits for more records to join its write; a small fraction of a disk flush.
constexpr auto kGatherWindow = std::chrono::microseconds(500);

}  // namespace

Result<std::shared_ptr<JournalWriter>> JournalWriter::Create(
    const std::string& path, const std::string& lineage, uint64_t base_serial,
    std::shared_ptr<const StateCipher> cipher) {
  Result<int> fd = WriteFresh(path, JournalHeader(lineage, base_serial));
  if (!fd.ok()) return fd.status();
  return std::shared_ptr<JournalWriter>(new JournalWriter(path, *fd, std::move(cipher)));
}

Result<std::shared_ptr<JournalWriter>> JournalWriter::Continue(
    const std::string& path, const JournalContents& existing,
    std::shared_ptr<const StateCipher> cipher) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open journal", path, errno);
  if (ftruncate(fd, static_cast<off_t>(existing.valid_bytes)) != 0 || lseek(fd, 0, SEEK_END) < 0 ||
      fdatasync(fd) != 0) {
    int err = errno;
    close(fd);
    return ErrnoStatus("cannot prepare journal", path, err);
  }
  std::shared_ptr<JournalWriter> w(new JournalWriter(path, fd, std::move(cipher)));
  for (const Value& r : existing.records) w->last_[RecordAddress(r)] = r;
  return w;
}

JournalWriter::~JournalWriter() { (void)Close(); }

Status JournalWriter::Append(const Value& record) {
  Result<uint64_t> seq = Queue(record);
  if (!seq.ok()) return seq.status();
  return WaitDurable(*seq);
}

Result<uint64_t> JournalWriter::Queue(Value record) {
  // Outside the lock: encoding (and sealing) is the costly part.
  Result<std::string> line = EncodeRecordLine(record, cipher_.get());
  if (!line.ok()) return line.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Error("the journal " + path_ + " is closed");
  if (!error_.ok()) return error_;
  pending_ += *line;
  ++pending_count_;
  std::string address = RecordAddress(record);
  last_[address] = std::move(record);
  const uint64_t seq = ++queued_;
  if (gathering_ && pending_count_ >= last_batch_) gather_cv_.notify_one();
  return seq;
}

Status JournalWriter::WaitDurable(uint64_t seq) {
  std::unique_lock<std::mutex> lock(mu_);
  while (durable_ < seq) {
    if (!error_.ok()) return error_;
    if (writing_) {
      cv_.wait(lock);
      continue;
    }
    // Become the leader for everything queued so far.
    writing_ = true;
    if (pending_count_ < last_batch_) {
      // Callers released by the previous write usually come straight back with their next
      // record; a short wait lets them share this flush instead of paying for another.
      gathering_ = true;
      gather_cv_.wait_for(lock, kGatherWindow, [&] { return pending_count_ >= last_batch_; });
      gathering_ = false;
    }
    last_batch_ = pending_count_;
    pending_count_ = 0;
    std::string batch;
    batch.swap(pending_);
    const uint64_t batch_end = queued_;
    const int fd = fd_;
    lock.unlock();
    bool ok = WriteAll(fd, batch.data(), batch.size()) && fdatasync(fd) == 0;
    int err = errno;
    lock.lock();
    writing_ = false;
    ++syncs_;
    if (ok) {
      durable_ = batch_end;
    } else {
      error_ = ErrnoStatus("cannot write journal", path_, err);
    }
    cv_.notify_all();
  }
  return Status::Ok();
}

Status JournalWriter::Rebase(const State& saved, const Value::List& resources) {
  // The snapshot's resources by address, as written (so no resource is converted again).
  std::unordered_map<std::string_view, const Value*> written;
  written.reserve(resources.size());
  for (const Value& r : resources)
    if (const Value* a = r.Find("address"); a != nullptr && a->is_string())
      written.emplace(a->AsString(), &r);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !writing_; });
  if (closed_) return Status::Ok();
  // A record is already in the snapshot when the snapshot agrees with it; the rest (records
  // that raced with the save) must survive into the new file.
  std::string content = JournalHeader(saved.lineage, saved.serial);
  for (auto it = last_.begin(); it != last_.end();) {
    const Value& rec = it->second;
    auto have = written.find(it->first);
    bool reflected = rec.Find("op")->AsString() == "delete"
                         ? have == written.end()
                         : have != written.end() && *have->second == *rec.Find("resource");
    if (reflected) {
      it = last_.erase(it);
    } else {
      Result<std::string> line = EncodeRecordLine(rec, cipher_.get());
      if (!line.ok()) return line.status();
      content += *line;
      ++it;
    }
  }
  Result<int> fd = WriteFresh(path_, content);
  if (!fd.ok()) {
    error_ = fd.status();
    return error_;
  }
  close(fd_);
  fd_ = *fd;
  // Queued lines not yet written are in `content` already when they are the newest for their
  // address; writing them again later is harmless because replay keeps the last one.
  return Status::Ok();
}

Status JournalWriter::Close() {
  uint64_t last = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    last = queued_;
  }
  // Records queued but never waited for are written, not dropped.
  (void)WaitDurable(last);
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return !writing_ && (pending_.empty() || !error_.ok()); });
  if (closed_) return error_;
  closed_ = true;
  if (close(fd_) != 0 && error_.ok()) error_ = ErrnoStatus("cannot close journal", path_, errno);
  fd_ = -1;
  return error_;
}

}  // namespace cairn::state
