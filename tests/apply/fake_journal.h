// FakeJournal: an in-memory state journal that records what was written, in order.
#pragma once

#include <mutex>
#include <string>
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

}  // namespace cairn::apply
