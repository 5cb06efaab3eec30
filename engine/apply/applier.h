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

/// How to apply.
struct ApplyOptions {
  int parallelism = 10;  // concurrent provider calls
  /// Called from worker threads, one call at a time.
  std::function<void(const ApplyEvent&)> on_event;
  /// Once set, no new step starts; running ones finish.
  const std::atomic<bool>* stop = nullptr;
  /// Like stop, and also passed to providers as ctx.cancelled so running calls give up.
  const std::atomic<bool>* abort = nullptr;
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
};

/// Applies `plan` starting from `start` with up to opts.parallelism provider calls at once. A
/// change starts only when everything in its depends_on succeeded; each completed resource is
/// recorded in `journal` (may be null) before anything that depends on it starts. A failure
/// skips its dependents (transitively); independent changes carry on.
ApplyResult Apply(const plan::Plan& plan, provider::Registry& providers, state::Journal* journal,
                  const state::State& start, const ApplyOptions& opts);

}  // namespace cairn::apply
