// The pieces of LuaProvider that its two source files share (lua_provider.cc: loading, the VM
// pool and resource calls; lua_provider_expand.cc: blueprint expansion). Not for other users.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <lua.hpp>

#include "engine/lua/lazy_blueprint.h"
#include "engine/lua/lua_provider.h"
#include "engine/lua/vm.h"

namespace cairn::lua {

/// One VM of the pool with the registry references every call needs.
struct LuaProvider::PooledVm {
  std::unique_ptr<Vm> vm;
  int plugin_ref = LUA_NOREF;   // the table provider.lua returned
  int client_ref = LUA_REFNIL;  // what configure returned
  int config_ref = LUA_REFNIL;  // ctx.config
  int log_ref = LUA_NOREF;      // ctx.log (host.log; bound to the call's address via HostContext)
  uint64_t generation = 0;      // the configuration this VM was configured with (0: none)
  LazyBlueprint blueprint;      // ctx.blueprint
  std::vector<std::string> secrets;  // sensitive config values
};

/// A VM borrowed from the pool, returned when the lease dies.
class LuaProvider::Lease {
 public:
  Lease() = default;
  ~Lease() {
    if (p != nullptr) owner->Release(p);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  LuaProvider* owner = nullptr;
  PooledVm* p = nullptr;
};

/// One call of a resource function.
struct LuaProvider::CallSpec {
  const provider::CallContext* ctx = nullptr;
  const provider::ResourceType* rt = nullptr;
  const char* function = "";
  std::vector<const Value*> args;
  int nresults = 1;
  bool lazy_states = false;  // the argument lists of states are lent as lazy states (read_all)
};

/// Pushes t[key] without metamethods; returns its type.
inline int RawGet(lua_State* L, int t, const char* key) {
  t = lua_absindex(L, t);
  lua_pushstring(L, key);
  return lua_rawget(L, t);
}

}  // namespace cairn::lua
