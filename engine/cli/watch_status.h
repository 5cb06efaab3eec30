// What `cairn watch` decides about each commit, as other tools read it: a status file replaced
// atomically after every decision, and an append-only log of every decision (JSON lines).
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/cli/options.h"

namespace cairn::cli {

/// One decision of the watch loop.
struct WatchDecision {
  std::string time;     // RFC 3339 UTC
  std::string commit;   // the remote branch's commit ("" when the fetch failed)
  std::string subject;  // its first message line
  // "applied", "apply-failed", "held" (waits for a person), "planned" (report only),
  // "no-changes", "refused" (rollback, signature), "plan-failed", "fetch-failed"
  std::string decision;
  std::string reason;  // why held, refused or failed
  ApplyReport plan;    // counts of the planned changes
  int failures = 0;    // consecutive failures so far (backing off while > 0)
  double next_check_seconds = 0;
};

/// Where the watch loop writes what it decides.
struct WatchOutputs {
  std::string status_file;  // replaced after every decision
  std::string log_file;     // one JSON line per decision, appended
  std::string remote;
  std::string branch;
  std::string live_commit;  // the last commit applied by anyone, as the state records it
};

/// Writes the status file (atomically) and appends the decision to the log.
Status RecordDecision(const WatchOutputs& out, const WatchDecision& d);

/// "Plan: 1 to add, 0 to change, 1 to replace, 2 to destroy."-style counts of `r`.
std::string CountsText(const ApplyReport& r);

}  // namespace cairn::cli
