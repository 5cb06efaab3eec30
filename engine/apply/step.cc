#include "engine/apply/step.h"

#include <algorithm>
#include <chrono>

#include "engine/apply/retry.h"
#include "engine/graph/refs.h"
#include "engine/plan/refresh.h"

namespace cairn::apply {
namespace {

using plan::Action;

// The path of the first unknown value inside `v`, for messages.
bool FindUnknown(const Value& v, const std::string& path, std::string* where, std::string* origin) {
  if (v.is_unknown()) {
    *where = path;
    *origin = v.UnknownOrigin();
    return true;
  }
  if (v.is_map())
    for (const auto& [k, item] : v.AsMap())
      if (FindUnknown(item, PathKey(path, k), where, origin)) return true;
  if (v.is_list())
    for (size_t i = 0; i < v.AsList().size(); ++i)
      if (FindUnknown(v.AsList()[i], PathIndex(path, i), where, origin)) return true;
  return false;
}

// Runs one change; owns the diagnostics wording so every error names address and action.
class Step {
 public:
  Step(const plan::ResourceChange& c, provider::Registry& providers, state::Journal* journal,
       const ApplyOptions& opts, const std::function<void(const RetryEvent&)>& on_retry,
       SharedState* shared, Diagnostics* diags)
      : c_(c),
        journal_(journal),
        opts_(opts),
        on_retry_(on_retry),
        shared_(shared),
        diags_(diags),
        provider_(providers.Find(c.provider)),
        type_(providers.FindType(c.type)) {
    type_timeout_ = type_ != nullptr && type_->timeout_seconds > 0;
    timeout_ = type_timeout_ ? type_->timeout_seconds : opts.default_timeout_seconds;
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(timeout_));
  }
  Step(const Step&) = delete;
  Step& operator=(const Step&) = delete;

  /// The journal ticket of the last record this step queued (0: none, or recorded already).
  uint64_t ticket() const { return ticket_; }
  int retries() const { return retries_; }

  bool Run() {
    if (provider_ == nullptr || type_ == nullptr) {
      Error(
          plan::ActionName(c_.action),
          Status::Error("provider '" + c_.provider + "' with type '" + c_.type + "' is not loaded",
                        "add the '" + c_.provider + "' provider to the blueprint"));
      return false;
    }
    switch (c_.action) {
      case Action::kNoOp: return true;
      case Action::kDelete: return Delete(Current(), "delete");
      case Action::kCreate: {
        Value planned;
        return Planned(Value(), &planned) && Create(planned);
      }
      case Action::kUpdate: {
        Value prior = Current();
        Value planned;
        return Planned(prior, &planned) && Update(prior, planned);
      }
      case Action::kDeleteThenCreate: {
        Value planned;
        return Planned(Value(), &planned) && Delete(Current(), "delete") && Create(planned);
      }
      case Action::kCreateThenDelete: {
        Value old = Current();
        Value planned;
        return Planned(Value(), &planned) && Create(planned) &&
               Delete(old, "delete (old object)", /*forget=*/false);
      }
    }
    return false;
  }

 private:
  void Error(const std::string& op, const Status& s) {
    Diagnostic d;
    d.summary = op + ": " + s.message();  // the address is shown from d.address
    d.hint = s.hint();
    d.address = c_.address;
    if (!s.path().empty()) {
      d.path = s.path();
      const Value* at = graph::FindPath(c_.config, s.path());
      if (at != nullptr) d.loc = at->loc;
    }
    diags_->Add(std::move(d));
  }

  // Every call of the step shares one deadline, so retries cannot stretch it.
  provider::CallContext Ctx() const {
    provider::CallContext ctx;
    ctx.address = c_.address;
    ctx.deadline = deadline_;
    ctx.cancelled = opts_.abort;
    return ctx;
  }

  bool PastDeadline() const { return std::chrono::steady_clock::now() >= deadline_; }

  Status TimedOut(const Status& last) const {
    std::string message = "timed out after " + FormatDuration(timeout_);
    if (last.code() != Status::Code::kTimeout && !last.message().empty())
      message += " (last error: " + last.message() + ")";
    std::string hint =
        type_timeout_
            ? "the '" + c_.provider + "' plugin allows " + FormatDuration(timeout_) + " per " +
                  c_.type + " (the type's timeout in its schema); check that the service responds"
            : "each resource may take " + FormatDuration(timeout_) +
                  "; check that the service is responding, or allow more with --timeout";
    return Status::WithCode(Status::Code::kTimeout, message, hint);
  }

  // Runs `call` (which makes one provider call and returns its status) until it succeeds, fails
  // for good, runs out of retries or of time. Only kRetryable failures are repeated: the
  // provider says by that code that repeating the call is safe.
  template <class Call>
  Status WithRetries(const std::string& op, Call call) {
    for (int attempt = 1;; ++attempt) {
      Status s = call(Ctx());
      if (s.ok()) return s;
      if (s.code() == Status::Code::kCancelled || (opts_.abort != nullptr && opts_.abort->load()))
        return Status::WithCode(Status::Code::kCancelled, "interrupted before it finished",
                                "the object may exist in part; `cairn plan` shows what is there");
      if (s.code() == Status::Code::kTimeout || PastDeadline()) return TimedOut(s);
      if (s.code() != Status::Code::kRetryable || attempt > opts_.max_retries) return s;
      double unit = opts_.random ? opts_.random() : RandomUnit();
      double delay = BackoffDelay(attempt, opts_.retry_base_delay, opts_.retry_max_delay,
                                  s.retry_after(), unit);
      auto wake = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(delay));
      if (wake >= deadline_) {
        Status last = s;
        return last.Prepend("gave up retrying (the next attempt would start after the " +
                            FormatDuration(timeout_) + " timeout): ");
      }
      if (on_retry_)
        on_retry_(RetryEvent{c_.address, c_.action, attempt + 1, opts_.max_retries + 1, delay,
                             op + ": " + s.message()});
      ++retries_;
      bool slept = opts_.sleep ? opts_.sleep(delay) : SleepUnlessAborted(delay, opts_.abort);
      if (!slept) return s;
    }
  }

  // The object as currently recorded (the plan's `before` when the state lacks it).
  Value Current() {
    std::lock_guard<std::mutex> lock(shared_->mu);
    auto it = shared_->state.resources.find(c_.address);
    return it != shared_->state.resources.end() ? it->second.attributes : c_.before;
  }

  // Re-resolves the configuration against the resources applied so far.
  bool Planned(const Value& prior, Value* out) {
    std::string error;
    Value resolved;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      resolved = graph::ResolveReferences(
          c_.config,
          [this](const std::string& a) -> const Value* {
            auto it = shared_->state.resources.find(a);
            return it == shared_->state.resources.end() ? nullptr : &it->second.attributes;
          },
          &error);
    }
    if (!error.empty()) {
      Error("resolve", Status::Error(error));
      return false;
    }
    std::string where, origin;
    if (FindUnknown(resolved, "", &where, &origin)) {
      Error("resolve",
            Status::Error("attribute '" + where + "' is still unknown ('${" + origin +
                              "}' has no value after its resource was applied)",
                          "check that the referenced resource exists and sets that attribute"));
      return false;
    }
    *out = prior.is_map() ? prior : Value::EmptyMap();
    if (resolved.is_map())
      for (const auto& [k, v] : resolved.AsMap())
        if (!v.is_null()) (*out)[k] = v;
    state::MarkSensitive(out, c_.sensitive_paths);
    planned_keys_.clear();
    if (resolved.is_map())
      for (const auto& [k, v] : resolved.AsMap())
        if (!v.is_null()) planned_keys_.push_back(k);
    return true;
  }

  bool Create(const Value& planned) {
    Result<Value> r = Status::Error("not called");
    Status s = WithRetries("create", [&](const provider::CallContext& ctx) {
      r = provider_->Create(ctx, c_.type, planned);
      return r.status();
    });
    if (!s.ok()) {
      Error("create", s);
      return false;
    }
    if (!r.ok()) {
      Error("create", r.status());
      return false;
    }
    return Record(planned, std::move(*r), Value());
  }

  bool Update(const Value& prior, const Value& planned) {
    Result<Value> r = Status::Error("not called");
    Status s = WithRetries("update", [&](const provider::CallContext& ctx) {
      r = provider_->Update(ctx, c_.type, prior, planned);
      return r.status();
    });
    if (!s.ok()) {
      Error("update", s);
      return false;
    }
    if (!r.ok()) {
      Error("update", r.status());
      return false;
    }
    Value private_data;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      auto it = shared_->state.resources.find(c_.address);
      if (it != shared_->state.resources.end()) private_data = it->second.private_data;
    }
    return Record(planned, std::move(*r), std::move(private_data));
  }

  // `forget`: remove the address from the state (false when a new object already took it).
  bool Delete(const Value& prior, const std::string& op, bool forget = true) {
    Status s = WithRetries(op, [&](const provider::CallContext& ctx) {
      return provider_->Delete(ctx, c_.type, prior);
    });
    if (!s.ok()) {
      Error(op, s);
      return false;
    }
    if (!forget) return true;
    if (journal_ != nullptr) {
      Result<uint64_t> j = journal_->QueueDelete(c_.address);
      if (j.ok()) {
        ticket_ = std::max(ticket_, *j);
      } else {
        Error("record delete", j.status());
        // The object is gone either way; the state must not keep it.
      }
    }
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->state.resources.erase(c_.address);
    return true;
  }

  // Checks the provider's answer, then journals it and puts it in the state.
  // A computed attribute the plan showed with a known value but that the apply changed leaves
  // the resources referencing it (planned as unchanged) with the old value: say so.
  void WarnUnannouncedChanges(const Value& result) {
    if (!shared_->unchanged_users || !c_.after.is_map() || !result.is_map()) return;
    for (const auto& [k, want] : c_.after.AsMap()) {
      if (k == "id" || want.ContainsUnknown()) continue;
      if (std::find(planned_keys_.begin(), planned_keys_.end(), k) != planned_keys_.end()) continue;
      const Value* got = result.Find(k);
      if (got == nullptr || *got == want) continue;
      std::vector<std::string> users = shared_->unchanged_users(c_.address, k);
      if (users.empty()) continue;
      std::string list;
      for (const std::string& u : users) list += (list.empty() ? "" : ", ") + u;
      Diagnostic d;
      d.severity = Severity::kWarning;
      d.address = c_.address;
      d.summary = c_.address + "." + k + " changed during apply although the plan showed it " +
                  "unchanged, so " + list + " still use" + (users.size() == 1 ? "s" : "") +
                  " the old value";
      d.hint = std::string("run cairn apply again to update ") +
               (users.size() == 1 ? "it" : "them") + "; the provider's plan should mark '" + k +
               "' (known after apply) when it will change";
      diags_->Add(std::move(d));
    }
  }

  bool Record(const Value& planned, Value result, Value private_data) {
    const std::string& pname = provider_->Schema().name;
    const Value* id = result.is_map() ? result.Find("id") : nullptr;
    if (id == nullptr || !id->is_string() || id->AsString().empty()) {
      Error(plan::ActionName(c_.action),
            Status::Error("provider '" + pname + "' produced an invalid result for " + c_.address +
                              ": it has no \"id\" string",
                          "this is a bug in the provider plugin"));
      return false;
    }
    std::vector<std::string> paths = plan::SensitivePathsOf(type_, result, c_.sensitive_paths);
    state::MarkSensitive(&result, paths);
    bool consistent = true;
    for (const std::string& k : planned_keys_) {
      const Value* want = planned.Find(k);
      const Value* got = result.Find(k);
      if (want == nullptr || want->ContainsUnknown() || (got != nullptr && *got == *want)) continue;
      consistent = false;
      Diagnostic d;
      d.summary = "provider '" + pname + "' produced an inconsistent result for " + c_.address +
                  ": attribute '" + k + "' was planned as " + want->ToString() + " but is now " +
                  (got == nullptr ? std::string("absent") : got->ToString());
      d.hint =
          "this is a bug in the provider plugin; the object was recorded as the provider "
          "returned it";
      d.address = c_.address;
      diags_->Add(std::move(d));
    }
    WarnUnannouncedChanges(result);
    state::ResourceState r;
    r.address = c_.address;
    r.type = c_.type;
    r.provider = c_.provider;
    r.id = id->AsString();
    r.attributes = std::move(result);
    for (const std::string& dep : c_.depends_on)
      if (!shared_->is_delete || !shared_->is_delete(dep)) r.dependencies.push_back(dep);
    r.sensitive_paths = std::move(paths);
    r.private_data = std::move(private_data);
    r.schema_version = type_->version;
    bool ok = consistent;
    if (journal_ != nullptr) {
      Result<uint64_t> j = journal_->QueuePut(r);
      if (j.ok()) {
        ticket_ = std::max(ticket_, *j);
      } else {
        Error("record", j.status());
        ok = false;
      }
    }
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->state.resources[c_.address] = std::move(r);
    return ok;
  }

  const plan::ResourceChange& c_;
  state::Journal* journal_;
  const ApplyOptions& opts_;
  const std::function<void(const RetryEvent&)>& on_retry_;
  SharedState* shared_;
  Diagnostics* diags_;
  provider::Provider* provider_;
  const provider::ResourceType* type_;
  std::vector<std::string> planned_keys_;  // configured attributes the result must match
  uint64_t ticket_ = 0;                    // the journal ticket of the last record this step queued
  int retries_ = 0;
  bool type_timeout_ = false;  // the timeout comes from the type's schema
  double timeout_ = 0;         // seconds
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

bool RunStep(const plan::ResourceChange& change, provider::Registry& providers,
             state::Journal* journal, const ApplyOptions& opts,
             const std::function<void(const RetryEvent&)>& on_retry, SharedState* shared,
             Diagnostics* diags, StepOutcome* outcome) {
  Step step(change, providers, journal, opts, on_retry, shared, diags);
  bool ok = step.Run();
  outcome->ticket = step.ticket();
  outcome->retries = step.retries();
  return ok;
}

}  // namespace cairn::apply
