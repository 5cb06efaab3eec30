// The provider interface: how the engine reads, plans and changes real objects.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/value.h"
#include "engine/provider/schema.h"

namespace cairn::provider {

/// What a single provider call knows about its situation.
struct CallContext {
  std::string address;  // resource address, e.g. "local.file.motd" ("" for batch calls)
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancelled = nullptr;  // set when the user pressed Ctrl-C twice
};

/// A resource the blueprint wants, before references are resolved.
struct DesiredResource {
  std::string address;   // "<provider>.<type>.<name>"
  std::string type;      // "<provider>.<type>"
  std::string provider;  // "<provider>"
  std::string name;
  Value attributes;                     // a map; strings may hold "${address.attr}" references
  std::vector<std::string> depends_on;  // explicit dependencies (addresses)
  SourceLoc loc;                        // where it was declared (or what expanded it)
  std::string origin;                   // "resources" or "expanded by <provider>"
  std::map<std::string, SourceLoc> key_locs;  // where each attribute's key was written, if known
  // For expanded resources: blueprint paths ("dns.zones[0].records[2]") of what the resource and
  // each attribute were derived from, so that errors point at the user's own lines.
  std::string source_path;
  std::map<std::string, std::string> attribute_sources;
};

/// A provider's answer to "what would you do with this change?".
struct PlannedChange {
  Value planned;                              // attributes after apply; unknown where computed
  std::vector<std::string> requires_replace;  // attribute names whose change forces replacement
};

/// A provider: one plugin (or a built-in) that manages resources of some types.
/// Object attributes are maps that always hold an "id" string once the object exists.
/// Implementations are called from several threads at once.
class Provider {
 public:
  virtual ~Provider() = default;

  virtual const ProviderSchema& Schema() const = 0;
  virtual Status Configure(const Value& config) = 0;
  /// Emits desired resources for the validated blueprint (empty if the provider has no expand).
  virtual Result<std::vector<DesiredResource>> Expand(const Value& blueprint) = 0;
  /// Gives the provider the validated blueprint before any planning, so that a plan can look
  /// beyond its own resource (e.g. a custom resource's definition declared elsewhere). The
  /// caller keeps the blueprint alive for as long as it uses the provider (the pointer may not
  /// own it: a run's blueprint outlives its providers' calls, and is not copied for each).
  virtual void SetBlueprint(std::shared_ptr<const Value> blueprint) {}

  /// Reads one object; nullopt means it no longer exists.
  virtual Result<std::optional<Value>> Read(const CallContext& ctx, const std::string& type,
                                            const Value& prior) = 0;
  /// Reads many objects of one type in one batch; the result maps id -> attributes, and an id
  /// that is absent no longer exists. Only called when the type has_read_all. `priors` is the
  /// provider's to keep: an unchanged object's prior can be moved into the result.
  virtual Result<std::map<std::string, Value>> ReadAll(const CallContext& ctx,
                                                       const std::string& type,
                                                       std::vector<Value> priors) = 0;
  /// Optional custom planning; only called when the type has_plan. prior is null for creates.
  virtual Result<PlannedChange> Plan(const CallContext& ctx, const std::string& type,
                                     const Value& prior, const Value& proposed) = 0;
  virtual Result<Value> Create(const CallContext& ctx, const std::string& type,
                               const Value& planned) = 0;
  virtual Result<Value> Update(const CallContext& ctx, const std::string& type, const Value& prior,
                               const Value& planned) = 0;
  virtual Status Delete(const CallContext& ctx, const std::string& type, const Value& prior) = 0;
  /// Adopts an existing object by its id. Only called when the type has_import.
  virtual Result<Value> Import(const CallContext& ctx, const std::string& type,
                               const std::string& id) = 0;
};

/// All providers known to one run, by name.
class Registry {
 public:
  void Add(std::unique_ptr<Provider> p);
  Provider* Find(const std::string& name) const;
  /// The resource type schema for a full type name ("local.file"), or nullptr.
  const ResourceType* FindType(const std::string& type) const;
  std::vector<std::string> Names() const;
  std::vector<std::string> TypeNames() const;
  const std::map<std::string, std::unique_ptr<Provider>>& all() const { return providers_; }

 private:
  std::map<std::string, std::unique_ptr<Provider>> providers_;
};

/// Splits "a.b.c" into provider "a", type "a.b", name "c"; false when malformed.
bool SplitAddress(const std::string& address, std::string* provider, std::string* type,
                  std::string* name);

}  // namespace cairn::provider
