// Host modules: the only capabilities a plugin has, each reached with require("host.<name>").
#pragma once

#include <string>
#include <vector>

#include <lua.hpp>

namespace cairn::lua {

/// One host module: `open` pushes the module's table (called in protected mode).
struct HostModule {
  const char* name;  // "http" for require("host.http")
  lua_CFunction open;
};

/// Every host module, in a fixed order.
const std::vector<HostModule>& HostModules();

// Each module's opener lives in modules/<name>.cc.
int OpenHttpModule(lua_State* L);
int OpenJsonModule(lua_State* L);
int OpenYamlModule(lua_State* L);
int OpenBase64Module(lua_State* L);
int OpenCryptoModule(lua_State* L);
int OpenLogModule(lua_State* L);
int OpenFsModule(lua_State* L);
int OpenJsonSchemaModule(lua_State* L);
int OpenTimeModule(lua_State* L);

/// Whether a plugin has opened host.http in this process (it will most likely send requests).
bool HttpModuleOpened();
/// Loads libcurl and initialises it, as the first request would (later calls return at once);
/// a command can run it on a spare thread so that the first request does not wait for it.
void PrepareHttp();

}  // namespace cairn::lua
