// Apply history: one record per apply kept in the state's `history` list, so that `cairn
// history` can say who applied which commit when, and apply can tell a rollback.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/value.h"
#include "engine/state/state.h"

namespace cairn::state {

/// One apply (or destroy) as recorded in the state it produced.
struct ApplyRecord {
  uint64_t serial = 0;    // the state serial this apply wrote
  std::string time;       // RFC 3339 UTC, when it finished
  std::string user;       // user@host
  std::string operation;  // "apply", "destroy", "watch"
  std::string commit;     // blueprint commit ("" when not in a git repository)
  bool dirty = false;     // the work tree had uncommitted changes
  int added = 0, changed = 0, replaced = 0, deleted = 0;  // planned changes by kind
  std::string result;                                     // "success", "failed", "interrupted"
};

/// How many records the state keeps (the oldest are dropped).
constexpr size_t kHistoryKept = 100;

Value ApplyRecordToValue(const ApplyRecord& r);
/// Reads one record; nullopt for entries that are not apply records (older cairn versions
/// wrote free-form values into `history`).
std::optional<ApplyRecord> ApplyRecordFromValue(const Value& v);

/// The apply records in `s`, oldest first.
std::vector<ApplyRecord> ApplyHistory(const State& s);
/// The commit of the newest record that names one: what is live ("" if none).
std::string LastAppliedCommit(const State& s);

}  // namespace cairn::state
