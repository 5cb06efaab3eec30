// State: what cairn last knew about every object it manages, and how that is serialised.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/value.h"

namespace cairn::state {

/// One managed object as last recorded.
struct ResourceState {
  std::string address;                       // "<provider>.<type>.<name>"
  std::string type;                          // "<provider>.<type>"
  std::string provider;                      // "<provider>"
  std::string id;                            // the provider's id for the object
  Value attributes;                          // a map, including "id"
  std::vector<std::string> dependencies;     // addresses this object depended on when applied
  std::vector<std::string> sensitive_paths;  // attribute paths never to show, e.g. "content"
  Value private_data;                        // opaque provider data, passed back on later calls
  int schema_version = 1;
};

/// The whole state: a lineage (set once when the state is born) and a serial bumped on every
/// change.
struct State {
  static constexpr int kFormatVersion = 1;

  std::string lineage;  // UUID
  uint64_t serial = 0;
  std::map<std::string, ResourceState> resources;  // by address
  Value history;  // a list of records of past applies (kept small; see AppendHistory)

  const ResourceState* Find(const std::string& address) const;
};

/// A fresh random UUID (version 4) for a new state's lineage.
std::string NewLineage();

/// Appends one record of an apply to s->history, dropping the oldest beyond `keep`.
void AppendHistory(State* s, Value record, size_t keep = 20);

/// Serialises to the state file format (documented in docs/state.md).
Value StateToValue(const State& s);
/// The text DumpJson(StateToValue(s), indent) writes, without building that value first and
/// with the resources of a large state written side by side (state_json.cc): apply writes the
/// whole state once more at its end, and that write is on the user's clock. When `resources`
/// is given it receives ResourceToValue of each resource, in the order written.
std::string StateToJson(const State& s, int indent, Value::List* resources = nullptr);
/// Parses the state file format; errors name the offending field.
Result<State> StateFromValue(const Value& v);
/// The same, taking the value apart instead of copying from it (large states load faster).
Result<State> StateFromValue(Value&& v);

Value ResourceToValue(const ResourceState& r);
Result<ResourceState> ResourceFromValue(const Value& v);

/// Marks the values at `paths` of `attributes` sensitive (e.g. after loading from state).
/// Paths join map keys with '.' and list indexes with "[i]" ("env.PASSWORD", "items[0]"); a key
/// containing '.', '[', ']' or '"' is written quoted: labels["app.io/name"]. Paths that do not
/// exist in `attributes` are ignored.
void MarkSensitive(Value* attributes, const std::vector<std::string>& paths);
/// The paths of the values marked sensitive inside `attributes`, sorted. Below a sensitive value
/// nothing more is listed: the whole subtree is hidden.
std::vector<std::string> SensitivePaths(const Value& attributes);

}  // namespace cairn::state
