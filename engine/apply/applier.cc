#include "engine/apply/applier.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <unordered_map>

#include "engine/apply/step.h"
#include "engine/base/task_group.h"
#include "engine/graph/refs.h"

namespace cairn::apply {
namespace {

using plan::Action;

// How often idle workers look at the stop flags, which are set without waking anyone.
constexpr auto kStopPoll = std::chrono::milliseconds(20);

// Where one change is in the walk.
enum class NodeState { kWaiting, kReady, kRunning, kDone, kFailed, kSkipped };

// One change in the walk.
struct Node {
  const plan::ResourceChange* change = nullptr;
  NodeState state = NodeState::kWaiting;
  size_t pending = 0;              // dependencies not yet done
  std::vector<size_t> dependents;  // changes waiting for this one
  std::string error, hint;         // why it failed, for the report
};

// Walks the plan with a ready queue, a fixed set of workers and a committer, on pooled threads.
class Walker {
 public:
  Walker(const plan::Plan& plan, provider::Registry& providers, state::Journal* journal,
         const state::State& start, const ApplyOptions& opts)
      : providers_(providers), journal_(journal), opts_(opts) {
    shared_.state = start;
    nodes_.resize(plan.changes.size());
    for (size_t i = 0; i < plan.changes.size(); ++i) {
      nodes_[i].change = &plan.changes[i];
      index_[plan.changes[i].address] = i;
    }
    shared_.is_delete = [this](const std::string& a) {
      auto it = index_.find(a);
      return it != index_.end() && nodes_[it->second].change->action == Action::kDelete;
    };
    for (const plan::ResourceChange& c : plan.changes) {
      if (c.action != Action::kNoOp) continue;
      std::vector<graph::Reference> refs;
      Diagnostics ignored;  // malformed references were reported by the plan
      graph::FindReferences(c.config, &refs, &ignored);
      for (const graph::Reference& ref : refs) {
        std::string attr = ref.path.substr(0, ref.path.find_first_of(".["));
        std::vector<std::string>& users = unchanged_users_[ref.address + "\n" + attr];
        if (std::find(users.begin(), users.end(), c.address) == users.end())
          users.push_back(c.address);
      }
    }
    shared_.unchanged_users = [this](const std::string& address, const std::string& attr) {
      auto it = unchanged_users_.find(address + "\n" + attr);
      return it == unchanged_users_.end() ? std::vector<std::string>{} : it->second;
    };
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      if (n.change->action == Action::kNoOp) {
        n.state = NodeState::kDone;
        continue;
      }
      for (const std::string& dep : n.change->depends_on) {
        auto it = index_.find(dep);
        if (it == index_.end() || it->second == i) continue;
        if (nodes_[it->second].change->action == Action::kNoOp) continue;
        ++n.pending;
        nodes_[it->second].dependents.push_back(i);
      }
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].state == NodeState::kWaiting && nodes_[i].pending == 0) {
        nodes_[i].state = NodeState::kReady;
        ready_.push_back(i);
        ++work_;
      } else if (nodes_[i].state == NodeState::kWaiting) {
        ++work_;
      }
    }
  }
  Walker(const Walker&) = delete;
  Walker& operator=(const Walker&) = delete;

  ApplyResult Run() {
    size_t workers = std::min(work_, static_cast<size_t>(std::max(opts_.parallelism, 1)));
    TaskGroup committer;
    committer.Start([this] { Commit(); });
    {
      // The calling thread is one of the workers; the others and the committer are pooled.
      TaskGroup helpers;
      for (size_t w = 1; w < workers; ++w) helpers.Start([this] { Work(); });
      if (workers > 0) Work();
      helpers.Wait();
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      workers_done_ = true;
    }
    commit_cv_.notify_all();
    committer.Wait();

    std::map<Action, size_t> by_action;
    for (const Node& n : nodes_) {
      if (n.state == NodeState::kWaiting || n.state == NodeState::kReady) {
        ++result_.not_started;
        result_.not_started_addresses.push_back(n.change->address);
      }
      if (n.state == NodeState::kDone && n.change->action != Action::kNoOp)
        ++by_action[n.change->action];
    }
    result_.done_by_action.assign(by_action.begin(), by_action.end());
    result_.state = std::move(shared_.state);
    return std::move(result_);
  }

 private:
  bool Stopped() const {
    return (opts_.stop != nullptr && opts_.stop->load()) ||
           (opts_.abort != nullptr && opts_.abort->load());
  }

  void Emit(const ApplyEvent& e) {
    if (!opts_.on_event) return;
    std::lock_guard<std::mutex> lock(event_mu_);
    opts_.on_event(e);
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (Stopped()) break;
      if (ready_.empty()) {
        // Nothing ready, and nothing running or being committed that could make anything ready.
        if (running_ == 0 && committing_ == 0) break;
        cv_.wait_for(lock, kStopPoll);
        continue;
      }
      size_t i = ready_.front();
      ready_.pop_front();
      nodes_[i].state = NodeState::kRunning;
      ++running_;
      lock.unlock();
      uint64_t ticket = 0;
      bool ok = Execute(i, &ticket);
      lock.lock();
      --running_;
      if (ok && ticket != 0) {
        // Its dependents start only once the record is durable; the committer releases them.
        to_commit_.emplace_back(i, ticket);
        ++committing_;
        commit_cv_.notify_one();
      } else {
        Finish(i, ok);
      }
      cv_.notify_all();
    }
    cv_.notify_all();
  }

  // Waits for the journal to make completed steps durable, many at a time, and only then lets
  // their dependents start. One flush covers every step that completed while the previous one
  // was being written, so apply does not pay a disk flush per resource.
  void Commit() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      commit_cv_.wait(lock, [&] { return !to_commit_.empty() || workers_done_; });
      if (to_commit_.empty()) return;
      std::vector<std::pair<size_t, uint64_t>> batch;
      batch.swap(to_commit_);
      uint64_t last = 0;
      for (const auto& [i, ticket] : batch) last = std::max(last, ticket);
      lock.unlock();
      Status s = journal_->WaitDurable(last);
      lock.lock();
      for (const auto& [i, ticket] : batch) {
        if (!s.ok()) {
          nodes_[i].error = "record: " + s.message();
          nodes_[i].hint = s.hint();
          Diagnostic d;
          d.summary = "record: " + s.message();
          d.address = nodes_[i].change->address;
          std::lock_guard<std::mutex> dl(diags_mu_);
          result_.diags.Add(std::move(d));
        }
        Finish(i, s.ok());
        --committing_;
      }
      cv_.notify_all();
    }
  }

  bool Execute(size_t i, uint64_t* ticket) {
    const plan::ResourceChange& c = *nodes_[i].change;
    Emit(ApplyEvent{ApplyEvent::Kind::kStart, c.address, c.action, "", 0});
    auto start = std::chrono::steady_clock::now();
    Diagnostics diags;
    StepOutcome outcome;
    std::function<void(const RetryEvent&)> on_retry;
    if (opts_.on_retry) on_retry = [this](const RetryEvent& e) { EmitRetry(e); };
    bool ok = RunStep(c, providers_, journal_, opts_, on_retry, &shared_, &diags, &outcome);
    *ticket = outcome.ticket;
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string message, hint;
    for (const Diagnostic& d : diags.items())
      if (d.severity == Severity::kError && message.empty()) {
        message = d.summary;
        hint = d.hint;
      }
    Emit(ApplyEvent{ok ? ApplyEvent::Kind::kDone : ApplyEvent::Kind::kFailed, c.address, c.action,
                    message, elapsed});
    {
      // Read by Finish under mu_, which runs after this returns.
      std::lock_guard<std::mutex> lock(mu_);
      nodes_[i].error = std::move(message);
      nodes_[i].hint = std::move(hint);
      result_.retries += static_cast<size_t>(outcome.retries);
    }
    std::lock_guard<std::mutex> lock(diags_mu_);
    result_.diags.Append(diags);
    return ok;
  }

  void EmitRetry(const RetryEvent& e) {
    std::lock_guard<std::mutex> lock(event_mu_);
    opts_.on_retry(e);
  }

  // REQUIRES: mu_ held.
  void Finish(size_t i, bool ok) {
    Node& n = nodes_[i];
    if (ok) {
      n.state = NodeState::kDone;
      ++result_.done;
      for (size_t d : n.dependents) {
        Node& dep = nodes_[d];
        if (dep.state == NodeState::kWaiting && --dep.pending == 0) {
          dep.state = NodeState::kReady;
          ready_.push_back(d);
        }
      }
      return;
    }
    n.state = NodeState::kFailed;
    ++result_.failed;
    result_.failed_addresses.push_back(n.change->address);
    result_.failures.push_back(StepFailure{n.change->address, n.change->action, n.error, n.hint});
    // Everything downstream is skipped; it names the failure so the user knows why.
    std::vector<size_t> stack(n.dependents.begin(), n.dependents.end());
    while (!stack.empty()) {
      size_t d = stack.back();
      stack.pop_back();
      Node& dep = nodes_[d];
      if (dep.state != NodeState::kWaiting) continue;
      dep.state = NodeState::kSkipped;
      ++result_.skipped;
      result_.skipped_addresses.push_back(dep.change->address);
      result_.skips.push_back(StepSkip{dep.change->address, dep.change->action, n.change->address});
      Emit(ApplyEvent{ApplyEvent::Kind::kSkipped, dep.change->address, dep.change->action,
                      "skipped because " + n.change->address + " failed", 0});
      for (size_t next : dep.dependents) stack.push_back(next);
    }
  }

  provider::Registry& providers_;
  state::Journal* journal_;
  const ApplyOptions& opts_;
  SharedState shared_;
  std::map<std::string, std::vector<std::string>> unchanged_users_;  // "address\nattr" -> users
  std::vector<Node> nodes_;
  std::unordered_map<std::string, size_t> index_;
  size_t work_ = 0;  // changes that need a provider call

  std::mutex mu_;  // guards nodes_' states, ready_, running_, result_ counters
  std::condition_variable cv_;
  std::deque<size_t> ready_;
  size_t running_ = 0;
  std::condition_variable commit_cv_;                   // wakes the committer
  std::vector<std::pair<size_t, uint64_t>> to_commit_;  // (node, journal ticket) awaiting disk
  size_t committing_ = 0;                               // nodes queued for, or inside, a commit
  bool workers_done_ = false;
  ApplyResult result_;
  std::mutex diags_mu_;  // guards result_.diags
  std::mutex event_mu_;  // serialises on_event
};

}  // namespace

ApplyResult Apply(const plan::Plan& plan, provider::Registry& providers, state::Journal* journal,
                  const state::State& start, const ApplyOptions& opts) {
  Walker walker(plan, providers, journal, start, opts);
  return walker.Run();
}

}  // namespace cairn::apply
