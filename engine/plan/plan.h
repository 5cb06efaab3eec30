// Plans: the typed difference between what the blueprint wants and what exists.
#pragma once

#include <string>
#include <vector>

#include "engine/base/value.h"
#include "engine/state/state.h"

namespace cairn::plan {

/// What apply will do to one resource.
enum class Action { kNoOp, kCreate, kUpdate, kDeleteThenCreate, kCreateThenDelete, kDelete };

/// "+", "~", "-/+", "+/-", "-" ("" for no-op).
const char* ActionGlyph(Action a);
/// "create", "update", "replace", "replace (create before destroy)", "delete", "no-op".
const char* ActionName(Action a);
bool IsReplace(Action a);

/// One resource's planned change.
struct ResourceChange {
  std::string address;
  std::string type;
  std::string provider;
  Action action = Action::kNoOp;
  Value before;  // refreshed attributes (null for create)
  Value after;   // planned attributes, unknown where known only after apply (null for delete)
  Value config;  // the blueprint's attributes with references unresolved, re-resolved at apply
  std::vector<std::string> requires_replace;  // attributes forcing replacement
  std::vector<std::string> depends_on;        // addresses this change must wait for
  std::vector<std::string> sensitive_paths;
  std::string reason;  // why, when not obvious: "deleted outside cairn", "not in the blueprint"
};

/// A difference between state and the live object that nobody planned: a change made outside cairn.
struct Drift {
  std::string address;
  Value before;  // as recorded in state
  Value after;   // as read from the live system (null: deleted)
  std::vector<std::string> sensitive_paths;
};

/// The result of planning.
struct Plan {
  std::vector<ResourceChange> changes;  // every resource, no-ops included, in dependency order
  std::vector<Drift> drift;
  state::State refreshed;  // prior state with live values read in
  bool destroy = false;    // planned by `cairn destroy`

  size_t Count(Action a) const;
  bool HasChanges() const;
};

}  // namespace cairn::plan
