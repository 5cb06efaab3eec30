// Host modules: the only capabilities a plugin has, each reached with require("host.<name>").
#pragma once

#include <lua.hpp>

#include <string>
#include <vector>

namespace cairn::lua {

/// One host module: `open` pushes the module's table (called in protected mode).
struct HostModule {
  const char* name;  // "http" for require("host.http")
  lua_CFunction open;
};

/// Every host module, in a fixed order. Defined in modules/modules.cc.
const std::vector<HostModule>& HostModules();

}  // namespace cairn::lua
