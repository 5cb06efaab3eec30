// Vm: one Lua state with a memory cap, an instruction budget and protected calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <lua.hpp>

#include "engine/base/status.h"
#include "engine/lua/host_context.h"

namespace cairn::lua {

/// Limits for one VM.
struct VmOptions {
  size_t memory_limit = size_t{256} << 20;   // bytes the state may hold during a call
  uint64_t instruction_limit = 200'000'000;  // VM instructions per Call
  bool traceback = false;                    // append a Lua traceback to errors (--debug)
};

/// Owns a lua_State. Every call into Lua goes through Call(), which is protected, enforces the
/// limits, and turns a Lua error into a Status carrying the plugin's file:line. A Vm is used by
/// one thread at a time.
class Vm {
 public:
  /// nullptr only if the process is out of memory.
  static std::unique_ptr<Vm> Create(const VmOptions& options);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  lua_State* L() const { return L_; }
  HostContext& context() { return context_; }
  const VmOptions& options() const { return options_; }
  void set_traceback(bool on) { options_.traceback = on; }

  /// Calls the function below the `nargs` arguments on top of the stack, with a fresh instruction
  /// budget and the memory cap enforced. On success the function and arguments are replaced by
  /// `nresults` results (LUA_MULTRET allowed); on failure they are popped and the error returned:
  /// the message as Lua formats it ("plugins/x/provider.lua:57: message"), the hint and
  /// Code::kRetryable from cairn.fail, Code::kTimeout for a passed deadline.
  Status Call(int nargs, int nresults);

  /// Runs `fn(L)` in protected mode with `nargs` arguments from the stack (like Call, for host
  /// set-up code written as a lua_CFunction).
  Status CallC(lua_CFunction fn, int nargs, int nresults);

  /// Bytes currently allocated by the state.
  size_t memory_used() const { return used_; }
  /// Instructions run by the current (or last) Call, rounded to the hook interval.
  uint64_t instructions_used() const;

 private:
  explicit Vm(const VmOptions& options);
  static void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize);
  static void Hook(lua_State* L, lua_Debug* ar);
  static int MessageHandler(lua_State* L);
  Status ErrorStatus(int rc);

  VmOptions options_;
  lua_State* L_ = nullptr;
  HostContext context_;
  size_t used_ = 0;
  int protected_depth_ = 0;  // the memory cap applies only inside Call
  uint64_t ticks_ = 0;       // hook firings in the current Call
  bool budget_blown_ = false;
  int abort_reason_ = 0;  // why the hook stopped the current Call
};

/// Registry key of the metatable that marks a cairn.fail error object.
inline constexpr const char* kFailKey = "cairn.fail";

}  // namespace cairn::lua
