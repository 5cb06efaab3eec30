// KeyLocations: where each mapping key of a loaded YAML tree was written.
#pragma once

#include <unordered_map>

#include "engine/base/source.h"
#include "engine/base/value.h"

namespace cairn::blueprint {

/// Positions of mapping keys, looked up by the value stored under the key.
///
/// Value::loc is the position of the value itself (so "expected integer" points at the value);
/// this side table adds the position of the key, so "unknown property" can point at the key.
/// Entries are keyed by the address of the child Value inside its parent map, which stays
/// stable while the tree is moved but not when it is copied or restructured: a lookup for a
/// node that is not in the table returns an invalid SourceLoc and callers fall back to the
/// value's own loc.
class KeyLocations {
 public:
  KeyLocations() = default;
  KeyLocations(const KeyLocations&) = delete;
  KeyLocations& operator=(const KeyLocations&) = delete;
  KeyLocations(KeyLocations&&) = default;
  KeyLocations& operator=(KeyLocations&&) = default;

  void Set(const Value* child, SourceLoc key_loc) { locs_[child] = key_loc; }
  /// The key position of `child`, or an invalid loc when unknown.
  SourceLoc Get(const Value* child) const {
    auto it = locs_.find(child);
    return it == locs_.end() ? SourceLoc{} : it->second;
  }
  /// The key position when known, else the value's own position.
  SourceLoc KeyOrValue(const Value& child) const {
    SourceLoc loc = Get(&child);
    return loc.valid() ? loc : child.loc;
  }
  size_t size() const { return locs_.size(); }
  void Clear() { locs_.clear(); }

 private:
  std::unordered_map<const Value*, SourceLoc> locs_;
};

}  // namespace cairn::blueprint
