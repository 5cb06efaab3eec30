#include "engine/lua/vm.h"

#include <cstdio>
#include <cstdlib>

namespace cairn::lua {
namespace {

// The count hook fires every kHookEvery instructions; cheap enough to leave on for every call.
constexpr int kHookEvery = 10000;

enum AbortReason { kNoAbort = 0, kBudget, kDeadline, kCancelled };

int Panic(lua_State* L) {
  const char* msg = lua_tostring(L, -1);
  std::fprintf(stderr, "cairn: unprotected Lua error: %s\n", msg ? msg : "(not a string)");
  std::abort();
}

Vm* VmOf(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<Vm*>(ud);
}

// Raises `what` blamed on the Lua line being run. Plain C: nothing here needs destroying.
[[noreturn]] void RaiseHere(lua_State* L, const char* what) {
  lua_Debug ar;
  if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
    lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, what);
  else
    lua_pushstring(L, what);
  lua_error(L);
  __builtin_unreachable();
}

}  // namespace

Vm::Vm(const VmOptions& options) : options_(options) {}

std::unique_ptr<Vm> Vm::Create(const VmOptions& options) {
  std::unique_ptr<Vm> vm(new Vm(options));
  vm->L_ = lua_newstate(&Vm::Alloc, vm.get());
  if (vm->L_ == nullptr) return nullptr;
  SetHostContext(vm->L_, &vm->context_);
  lua_atpanic(vm->L_, Panic);
  lua_sethook(vm->L_, &Vm::Hook, LUA_MASKCOUNT, kHookEvery);
  return vm;
}

Vm::~Vm() {
  if (L_ != nullptr) lua_close(L_);
}

uint64_t Vm::instructions_used() const { return ticks_ * kHookEvery; }

void* Vm::Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  Vm* vm = static_cast<Vm*>(ud);
  size_t old = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    vm->used_ -= old;
    return nullptr;
  }
  // Only growth inside a protected call can be refused: Lua assumes shrinking never fails, and
  // host code outside Call has no protected frame to catch a memory error.
  if (nsize > old && vm->protected_depth_ > 0 &&
      vm->used_ - old + nsize > vm->options_.memory_limit)
    return nullptr;
  void* p = std::realloc(ptr, nsize);
  if (p == nullptr) return nullptr;
  vm->used_ = vm->used_ - old + nsize;
  return p;
}

void Vm::Hook(lua_State* L, lua_Debug* ar) {
  Vm* vm = VmOf(L);
  if (vm->budget_blown_) {
    // Raised again on every instruction so that a pcall inside a loop cannot swallow it.
    RaiseHere(L, "instruction budget exceeded");
  }
  ++vm->ticks_;
  int reason = kNoAbort;
  if (vm->ticks_ * kHookEvery > vm->options_.instruction_limit) {
    reason = kBudget;
  } else if (vm->context_.cancelled != nullptr && vm->context_.cancelled->load()) {
    reason = kCancelled;
  } else if (vm->context_.deadline != std::chrono::steady_clock::time_point::max() &&
             std::chrono::steady_clock::now() > vm->context_.deadline) {
    reason = kDeadline;
  }
  if (reason == kNoAbort) return;
  vm->budget_blown_ = true;
  vm->abort_reason_ = reason;
  lua_sethook(L, &Vm::Hook, LUA_MASKCOUNT, 1);
  if (reason == kBudget) {
    char msg[160];
    std::snprintf(msg, sizeof msg, "instruction budget exceeded (%llu instructions)",
                  static_cast<unsigned long long>(vm->options_.instruction_limit));
    RaiseHere(L, msg);
  }
  RaiseHere(L, reason == kCancelled ? "cancelled" : "deadline exceeded");
}

int Vm::MessageHandler(lua_State* L) {
  Vm* vm = VmOf(L);
  if (lua_type(L, 1) == LUA_TTABLE && lua_getmetatable(L, 1)) {
    luaL_getmetatable(L, kFailKey);
    bool is_fail = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (is_fail) {
      if (vm->options_.traceback) {
        luaL_traceback(L, L, nullptr, 1);
        lua_setfield(L, 1, "traceback");
      }
      lua_settop(L, 1);
      return 1;
    }
  }
  const char* msg = lua_tostring(L, 1);
  if (msg == nullptr) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      msg = lua_tostring(L, -1);
    else
      msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  if (vm->options_.traceback)
    luaL_traceback(L, L, msg, 1);
  else
    lua_pushstring(L, msg);
  return 1;
}

Status Vm::Call(int nargs, int nresults) {
  int base = lua_gettop(L_) - nargs;  // index of the function
  lua_pushcfunction(L_, &Vm::MessageHandler);
  lua_insert(L_, base);
  if (protected_depth_ == 0) {
    ticks_ = 0;
    budget_blown_ = false;
    abort_reason_ = kNoAbort;
    lua_sethook(L_, &Vm::Hook, LUA_MASKCOUNT, kHookEvery);
  }
  ++protected_depth_;
  int rc = lua_pcall(L_, nargs, nresults, base);
  --protected_depth_;
  if (rc == LUA_OK) {
    lua_remove(L_, base);
    return Status::Ok();
  }
  Status s = ErrorStatus(rc);
  lua_settop(L_, base - 1);
  if (protected_depth_ == 0) {
    budget_blown_ = false;
    lua_sethook(L_, &Vm::Hook, LUA_MASKCOUNT, kHookEvery);
  }
  return s;
}

Status Vm::CallC(lua_CFunction fn, int nargs, int nresults) {
  lua_pushcfunction(L_, fn);
  lua_insert(L_, -(nargs + 1));
  return Call(nargs, nresults);
}

namespace {

std::string RawString(lua_State* L, int table, const char* key) {
  lua_pushstring(L, key);
  lua_rawget(L, table);
  std::string out;
  if (lua_type(L, -1) == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    out.assign(s, len);
  }
  lua_pop(L, 1);
  return out;
}

bool RawBool(lua_State* L, int table, const char* key) {
  lua_pushstring(L, key);
  lua_rawget(L, table);
  bool out = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return out;
}

}  // namespace

Status Vm::ErrorStatus(int rc) {
  int top = lua_gettop(L_);
  if (rc == LUA_ERRMEM) {
    return Status::Error("not enough memory (the plugin's memory limit is " +
                             std::to_string(options_.memory_limit >> 20) + " MiB)",
                         "the plugin holds too much data at once; process it in smaller pieces");
  }
  Status::Code code = Status::Code::kError;
  std::string message, hint, path;
  double retry_after = 0;
  if (lua_type(L_, top) == LUA_TTABLE) {
    message = RawString(L_, top, "message");
    hint = RawString(L_, top, "hint");
    path = RawString(L_, top, "path");
    lua_pushstring(L_, "retry_after");
    if (lua_rawget(L_, top) == LUA_TNUMBER) retry_after = lua_tonumber(L_, -1);
    lua_pop(L_, 1);
    if (RawBool(L_, top, "retryable")) code = Status::Code::kRetryable;
    std::string trace = RawString(L_, top, "traceback");
    if (!trace.empty()) message += "\n" + trace;
  } else if (const char* s = lua_tostring(L_, top)) {
    message = s;
  } else {
    message = "error in error handling";
  }
  switch (abort_reason_) {
    case kBudget: hint = "the plugin may be stuck in an endless loop"; break;
    case kDeadline: code = Status::Code::kTimeout; break;
    case kCancelled: code = Status::Code::kCancelled; break;
    default: break;
  }
  abort_reason_ = kNoAbort;
  Status status = Status::WithCode(code, context_.Redact(message), context_.Redact(hint));
  status.set_retry_after(retry_after).set_path(path);
  return status;
}

}  // namespace cairn::lua
