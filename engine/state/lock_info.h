// LockInfo helpers shared by the backends: building a record for this process, its JSON form,
// and the "state is locked by ..." error a blocked user sees.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/base/value.h"
#include "engine/state/backend.h"

namespace cairn::state {

/// A record for a lock this process is taking: random id, user@host, pid, now.
LockInfo NewLockInfo(const std::string& operation);

Value LockInfoToValue(const LockInfo& info);
Result<LockInfo> LockInfoFromValue(const Value& v);

/// kLocked: "state is locked by root@web1 (pid 123) for 'apply' since ...; lock id ...", with a
/// hint about waiting or force-unlock.
Status LockedStatus(const LockInfo& holder);

/// This machine's host name, as recorded in LockInfo::host.
std::string ThisHost();

/// The current time in RFC 3339 UTC, e.g. "2026-03-01T12:00:00Z".
std::string NowRfc3339();

}  // namespace cairn::state
