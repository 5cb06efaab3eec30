// A bare Lua state with the host modules as globals, for testing the modules without the plugin
// loader: each test runs short chunks and compares what they return.
#pragma once

#include <string>

#include <lua.hpp>

#include "engine/lua/host_context.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua::testing {

/// Owns a lua_State whose globals json, yaml, base64, crypto, fs and http are the host modules.
class ModuleHarness {
 public:
  ModuleHarness() : L_(luaL_newstate()) {
    SetHostContext(L_, &ctx_);
    luaL_openlibs(L_);
    for (const HostModule& m : HostModules()) {
      luaL_requiref(L_, (std::string("host.") + m.name).c_str(), m.open, 0);
      lua_setglobal(L_, m.name);
    }
  }
  ~ModuleHarness() { lua_close(L_); }
  ModuleHarness(const ModuleHarness&) = delete;
  ModuleHarness& operator=(const ModuleHarness&) = delete;

  HostContext& ctx() { return ctx_; }
  lua_State* state() { return L_; }

  /// Runs `code` (chunk name "test.lua") and returns its first result as text (tostring), or
  /// "error: <message>" when it raised.
  std::string Eval(const std::string& code) {
    int top = lua_gettop(L_);
    std::string out;
    if (luaL_loadbufferx(L_, code.data(), code.size(), "@test.lua", "t") != LUA_OK ||
        lua_pcall(L_, 0, 1, 0) != LUA_OK) {
      out = std::string("error: ") + lua_tostring(L_, -1);
    } else {
      out = luaL_tolstring(L_, -1, nullptr);
    }
    lua_settop(L_, top);
    return out;
  }

 private:
  HostContext ctx_;
  lua_State* L_;
};

}  // namespace cairn::lua::testing
