// FakeProvider: an in-memory provider for engine tests that records calls and fails on request.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/provider/provider.h"

namespace cairn::testing {

/// An ordered, thread-safe list of events shared by fakes, to assert what happened before what.
class EventLog {
 public:
  void Add(std::string event);
  std::vector<std::string> events() const;
  /// Position of the first `event`, or -1.
  int IndexOf(const std::string& event) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> events_;
};

/// Builds an attribute for a fake schema.
provider::Attribute FakeAttr(const std::string& name, bool computed = false, bool force_new = false,
                             bool sensitive = false);

/// A provider whose objects live in a map: records every call, fails where scripted, can be slow,
/// and counts how many calls were in flight at once. Thread-safe.
class FakeProvider : public provider::Provider {
 public:
  /// One recorded call: op is "read", "read_all", "plan", "create", "update", "delete", "import".
  struct Call {
    std::string op;
    std::string type;
    std::string address;
  };

  explicit FakeProvider(std::string name);
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  /// Declares type "<name>.<short_type>"; a computed "id" attribute is always added.
  /// Set up types before the provider is used.
  provider::ResourceType& AddType(const std::string& short_type,
                                  std::vector<provider::Attribute> attrs);

  // The live objects, by type and id.
  void PutObject(const std::string& type, Value attrs);
  std::optional<Value> GetObject(const std::string& type, const std::string& id) const;
  void RemoveObject(const std::string& type, const std::string& id);
  size_t ObjectCount(const std::string& type) const;

  /// Every later `op` on `address` fails with `s`.
  void Fail(const std::string& op, const std::string& address, Status s);
  /// Every call sleeps this long (to make calls overlap).
  void SetDelay(std::chrono::milliseconds d) { delay_ = d; }
  /// Plan() answers with these attributes as requires_replace.
  void SetRequiresReplace(std::vector<std::string> attrs);
  /// Create/Update results get attrs[attr] = v for `address` (a misbehaving provider).
  void Mangle(const std::string& address, const std::string& attr, Value v);
  /// When false, calls are not recorded (for benchmarks).
  void set_record(bool on) { record_ = on; }
  /// Call start events ("create local.file.a") also go to `log`.
  void set_log(EventLog* log) { log_ = log; }

  std::vector<Call> calls() const;
  int CallCount(const std::string& op) const;
  /// Addresses of `op` calls in the order they started.
  std::vector<std::string> CallAddresses(const std::string& op) const;
  int max_in_flight() const { return max_in_flight_.load(); }

  const provider::ProviderSchema& Schema() const override { return schema_; }
  provider::ProviderSchema& schema() { return schema_; }
  Status Configure(const Value& config) override { return Status::Ok(); }
  Result<std::vector<provider::DesiredResource>> Expand(const Value& blueprint) override {
    return std::vector<provider::DesiredResource>{};
  }
  Result<std::optional<Value>> Read(const provider::CallContext& ctx, const std::string& type,
                                    const Value& prior) override;
  Result<std::map<std::string, Value>> ReadAll(const provider::CallContext& ctx,
                                               const std::string& type,
                                               std::vector<Value> priors) override;
  Result<provider::PlannedChange> Plan(const provider::CallContext& ctx, const std::string& type,
                                       const Value& prior, const Value& proposed) override;
  Result<Value> Create(const provider::CallContext& ctx, const std::string& type,
                       const Value& planned) override;
  Result<Value> Update(const provider::CallContext& ctx, const std::string& type,
                       const Value& prior, const Value& planned) override;
  Status Delete(const provider::CallContext& ctx, const std::string& type,
                const Value& prior) override;
  Result<Value> Import(const provider::CallContext& ctx, const std::string& type,
                       const std::string& id) override;

 private:
  // Records the call, applies the delay and returns the scripted failure (ok if none).
  Status Begin(const std::string& op, const std::string& type, const std::string& address);
  void End() { --in_flight_; }
  // Sets computed attributes the planned value leaves out; REQUIRES: mu_ held.
  void FillComputed(const std::string& type, const std::string& id, Value* attrs) const;
  void ApplyMangles(const std::string& address, Value* attrs) const;

  provider::ProviderSchema schema_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, Value>> objects_;  // GUARDED_BY(mu_)
  std::map<std::string, Status> failures_;                       // "op address" -> status
  std::map<std::string, std::map<std::string, Value>> mangles_;  // address -> attr -> value
  std::vector<std::string> requires_replace_;
  std::vector<Call> calls_;
  int next_id_ = 1;
  std::chrono::milliseconds delay_{0};
  bool record_ = true;
  EventLog* log_ = nullptr;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

}  // namespace cairn::testing
