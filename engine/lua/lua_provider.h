// LuaProvider: a provider::Provider implemented by a Lua plugin, served by a pool of VMs.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/lua/plugin_loader.h"
#include "engine/lua/vm.h"
#include "engine/provider/provider.h"

namespace cairn::lua {

/// A plugin as a provider. Calls may come from many threads: each runs on a VM taken from a pool
/// (VMs are made lazily, up to HostOptions::max_vms, each loaded and configured identically).
class LuaProvider : public provider::Provider {
 public:
  /// Loads provider.lua in a first VM and reads its schema.
  static Result<std::unique_ptr<LuaProvider>> Load(const PluginInfo& info,
                                                   const HostOptions& options);
  ~LuaProvider() override;
  LuaProvider(const LuaProvider&) = delete;
  LuaProvider& operator=(const LuaProvider&) = delete;

  const provider::ProviderSchema& Schema() const override { return schema_; }
  Status Configure(const Value& config) override;
  Result<std::vector<provider::DesiredResource>> Expand(const Value& blueprint) override;
  /// Kept for ctx.blueprint, converted into a VM when a call there first reads it.
  void SetBlueprint(std::shared_ptr<const Value> blueprint) override;
  Result<std::optional<Value>> Read(const provider::CallContext& ctx, const std::string& type,
                                    const Value& prior) override;
  Result<std::map<std::string, Value>> ReadAll(const provider::CallContext& ctx,
                                               const std::string& type,
                                               std::vector<Value> priors) override;
  Result<provider::PlannedChange> Plan(const provider::CallContext& ctx, const std::string& type,
                                       const Value& prior, const Value& proposed) override;
  Result<Value> Create(const provider::CallContext& ctx, const std::string& type,
                       const Value& planned) override;
  Result<Value> Update(const provider::CallContext& ctx, const std::string& type,
                       const Value& prior, const Value& planned) override;
  Status Delete(const provider::CallContext& ctx, const std::string& type,
                const Value& prior) override;
  Result<Value> Import(const provider::CallContext& ctx, const std::string& type,
                       const std::string& id) override;

  /// How many VMs exist now (for tests and measurements).
  size_t vm_count() const;
  /// The configuration in effect (defaults applied).
  Value config() const;

 private:
  struct PooledVm;
  class Lease;
  struct CallSpec;

  LuaProvider(const PluginInfo& info, const HostOptions& options);
  Result<std::unique_ptr<PooledVm>> NewVm(std::string* source);
  Status ConfigureVm(PooledVm* p, const Value& config);
  Status Acquire(Lease* lease);
  void Release(PooledVm* p);
  Status EnsureConfigured();
  // Runs one resource function; leaves `nresults` converted values in *out.
  Status CallResource(const CallSpec& spec, std::vector<Value>* out);
  Status CheckObject(const provider::ResourceType& rt, const std::string& address,
                     const char* action, bool allow_unknown, Value* v) const;
  Status Inconsistent(const std::string& address, const std::string& what) const;

  const PluginInfo info_;
  const HostOptions options_;
  provider::ProviderSchema schema_;

  std::shared_ptr<const Value> blueprint_;  // GUARDED_BY(mu_); ctx.blueprint
  uint64_t blueprint_version_ = 0;          // GUARDED_BY(mu_); bumped by SetBlueprint
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PooledVm>> all_;  // GUARDED_BY(mu_)
  std::vector<PooledVm*> idle_;                 // GUARDED_BY(mu_)
  int creating_ = 0;                            // GUARDED_BY(mu_)
  Value config_;                                // GUARDED_BY(mu_)
  uint64_t generation_ = 0;                     // GUARDED_BY(mu_): bumped by Configure
  std::vector<std::string> config_secrets_;     // GUARDED_BY(mu_)
};

}  // namespace cairn::lua
