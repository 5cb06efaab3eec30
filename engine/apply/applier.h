// The applier: walks a plan's changes in dependency order, in parallel, recording each result.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "engine/base/diag.h"
#include "engine/plan/plan.h"
#include "engine/provider/provider.h"
#include "engine/state/backend.h"
#include "engine/state/state.h"

namespace cairn::apply {

/// Progress of one change, for the progress display.
struct ApplyEvent {
  enum class Kind { kStart, kDone, kFailed, kSkipped };
  Kind kind = Kind::kStart;
  std::string address;
  plan::Action action = plan::Action::kNoOp;
  std::string message;  // why it failed or was skipped
  double elapsed_seconds = 0;
};

/// A transient failure that apply is about to retry, for the progress display.
struct RetryEvent {
  std::string address;
  plan::Action action = plan::Action::kNoOp;
  int attempt = 2;       // the attempt that will follow the wait
  int max_attempts = 1;  // 1 + ApplyOptions::max_retries
  double delay_seconds = 0;
  std::string message;  // the failure being retried
};

/// How to apply.
struct ApplyOptions {
  int parallelism = 10;  // concurrent provider calls
  /// Called from worker threads, one call at a time.
  std::function<void(const ApplyEvent&)> on_event;
  /// Called (like on_event, serialised with it) before each wait for a retry.
  std::function<void(const RetryEvent&)> on_retry;

  /// Retries of one provider call that failed with Status::Code::kRetryable; 0 never retries.
  int max_retries = 5;
  /// Backoff: retry n waits a random time in [0, min(max, base * 2^(n-1))] seconds, and at
  /// least what the provider passed as retry_after.
  double retry_base_delay = 1.0;
  double retry_max_delay = 60.0;
  /// How long one resource's step may take, retries included, when its type declares no
  /// `timeout` of its own.
  double default_timeout_seconds = 600;
  /// Waits between attempts; returns false when the wait was cut short (the step then gives up).
  /// Tests replace it so that nothing sleeps for real. Default: SleepUnlessAborted(s, abort).
  std::function<bool(double seconds)> sleep;
  /// A random number in [0, 1) for the jitter. Default: RandomUnit().
  std::function<double()> random;

  /// Once set, no new step starts; running ones finish.
  const std::atomic<bool>* stop = nullptr;
  /// Like stop, and also passed to providers as ctx.cancelled so running calls give up.
  const std::atomic<bool>* abort = nullptr;
};

/// A step that failed, for the final report.
struct StepFailure {
  std::string address;
  plan::Action action = plan::Action::kNoOp;
  std::string message;  // the first error, e.g. "create: timed out after 30s"
  std::string hint;
};

/// A step that did not run because something it depends on failed.
struct StepSkip {
  std::string address;
  plan::Action action = plan::Action::kNoOp;
  std::string cause;  // the failed address that made it skip
};

/// What apply did.
struct ApplyResult {
  state::State state;  // final state (serial NOT bumped; the caller saves)
  size_t done = 0;
  size_t failed = 0;
  size_t skipped = 0;      // not run because something they wait for failed
  size_t not_started = 0;  // not run because of stop/abort
  Diagnostics diags;
  std::vector<std::string> failed_addresses;
  std::vector<std::string> skipped_addresses;
  std::vector<StepFailure> failures;                            // in the order they failed
  std::vector<StepSkip> skips;                                  // in the order they were skipped
  std::vector<std::string> not_started_addresses;               // plan order
  std::vector<std::pair<plan::Action, size_t>> done_by_action;  // only actions with a count
  size_t retries = 0;  // provider calls repeated after a failure
};

/// Applies `plan` starting from `start` with up to opts.parallelism provider calls at once. A
/// change starts only when everything in its depends_on succeeded; each completed resource is
/// recorded in `journal` (may be null) before anything that depends on it starts. A failure
/// skips its dependents (transitively); independent changes carry on.
ApplyResult Apply(const plan::Plan& plan, provider::Registry& providers, state::Journal* journal,
                  const state::State& start, const ApplyOptions& opts);

}  // namespace cairn::apply
