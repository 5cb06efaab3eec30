// A bare Lua state with the host modules as globals, for testing the modules without the plugin
// loader: each test runs short chunks and compares what they return.
#pragma once

#include <cstdlib>
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

  /// Eval with at most `extra` more bytes of Lua memory than the state uses now, as under the
  /// plugin memory cap; sets `*peak_ok` to whether the memory in use after a full collection
  /// stayed within the budget (nothing leaked by the failed call). The limit is lifted after.
  std::string EvalWithMemoryBudget(size_t extra, const std::string& code, bool* peak_ok) {
    lua_gc(L_, LUA_GCCOLLECT);
    void* old_ud = nullptr;
    lua_Alloc old = lua_getallocf(L_, &old_ud);
    Budget budget;
    budget.used = static_cast<size_t>(lua_gc(L_, LUA_GCCOUNT)) * 1024 +
                  static_cast<size_t>(lua_gc(L_, LUA_GCCOUNTB));
    budget.limit = budget.used + extra;
    lua_setallocf(L_, LimitedAlloc, &budget);
    std::string out = Eval(code);
    lua_gc(L_, LUA_GCCOLLECT);
    *peak_ok = budget.used < budget.limit;
    lua_setallocf(L_, old, old_ud);
    return out;
  }

 private:
  struct Budget {
    size_t used = 0;
    size_t limit = 0;
  };

  // Growth beyond the budget's limit fails, as Lua's allocator does at the memory cap.
  static void* LimitedAlloc(void* ud, void* ptr, size_t osize, size_t nsize) {
    Budget* b = static_cast<Budget*>(ud);
    size_t old = ptr != nullptr ? osize : 0;
    if (nsize == 0) {
      std::free(ptr);
      b->used -= old;
      return nullptr;
    }
    if (nsize > old && b->used - old + nsize > b->limit) return nullptr;
    void* p = std::realloc(ptr, nsize);
    if (p == nullptr) return nullptr;
    b->used = b->used - old + nsize;
    return p;
  }

  HostContext ctx_;
  lua_State* L_;
};

}  // namespace cairn::lua::testing
