// FakeJournal: an in-memory state journal that records what was written, in order.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/state/backend.h"
#include "tests/support/fake_provider.h"

namespace cairn::apply {

/// Records puts and deletes (also into a shared EventLog, to compare with provider calls).
class FakeJournal : public state::Journal {
 public:
  explicit FakeJournal(testing::EventLog* log = nullptr) : log_(log) {}
  FakeJournal(const FakeJournal&) = delete;
  FakeJournal& operator=(const FakeJournal&) = delete;

  Status RecordPut(const state::ResourceState& r) override {
    if (log_ != nullptr) log_->Add("put " + r.address);
    std::lock_guard<std::mutex> lock(mu_);
    puts_.push_back(r);
    order_.push_back("put " + r.address);
    return Status::Ok();
  }
  Status RecordDelete(const std::string& address) override {
    if (log_ != nullptr) log_->Add("journal-delete " + address);
    std::lock_guard<std::mutex> lock(mu_);
    order_.push_back("delete " + address);
    return Status::Ok();
  }
  Status Close() override { return Status::Ok(); }

  std::vector<state::ResourceState> puts() const {
    std::lock_guard<std::mutex> lock(mu_);
    return puts_;
  }
  std::vector<std::string> order() const {
    std::lock_guard<std::mutex> lock(mu_);
    return order_;
  }

 private:
  testing::EventLog* log_;
  mutable std::mutex mu_;
  std::vector<state::ResourceState> puts_;
  std::vector<std::string> order_;
};

/// A journal whose records become durable only in WaitDurable, which takes a while, as a disk
/// flush does: shows whether apply waits for durability before dependents start, and whether it
/// batches many records into one flush.
class SlowFlushJournal : public state::Journal {
 public:
  SlowFlushJournal(testing::EventLog* log, std::chrono::milliseconds flush)
      : log_(log), flush_(flush) {}
  Status RecordPut(const state::ResourceState& r) override {
    Result<uint64_t> t = QueuePut(r);
    return t.ok() ? WaitDurable(*t) : t.status();
  }
  Status RecordDelete(const std::string& address) override {
    Result<uint64_t> t = QueueDelete(address);
    return t.ok() ? WaitDurable(*t) : t.status();
  }
  Result<uint64_t> QueuePut(const state::ResourceState& r) override { return Queue(r.address); }
  Result<uint64_t> QueueDelete(const std::string& address) override { return Queue(address); }
  Status WaitDurable(uint64_t ticket) override {
    std::this_thread::sleep_for(flush_);
    std::lock_guard<std::mutex> lock(mu_);
    ++flushes_;
    for (; durable_ < ticket && durable_ < queued_.size(); ++durable_)
      log_->Add("durable " + queued_[durable_]);
    return Status::Ok();
  }
  Status Close() override { return Status::Ok(); }
  int flushes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return flushes_;
  }

 private:
  Result<uint64_t> Queue(const std::string& address) {
    std::lock_guard<std::mutex> lock(mu_);
    queued_.push_back(address);
    return static_cast<uint64_t>(queued_.size());
  }

  testing::EventLog* log_;
  std::chrono::milliseconds flush_;
  mutable std::mutex mu_;
  std::vector<std::string> queued_;  // ticket n is queued_[n-1]
  size_t durable_ = 0;               // tickets 1..durable_ are durable
  int flushes_ = 0;
};

}  // namespace cairn::apply
