// Safe bindings: C++ functions callable from Lua without a Lua error ever unwinding C++ frames.
//
// Debian's Lua is compiled as C, so lua_error() is a longjmp. A longjmp over a C++ frame that owns
// objects skips their destructors. Every host function is therefore written as a Binding: it reads
// its arguments through Args (which never raises), computes its results as Values in plain C++
// (throwing BindingError on misuse), and Bind() pushes the results inside lua_pcall (so even an
// out-of-memory error lands in a protected call) and raises any error only after every C++ object
// of the call has been destroyed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <lua.hpp>

#include "engine/base/value.h"

namespace cairn::lua {

/// Thrown by a binding body; becomes a Lua error blamed on the calling line of the plugin.
struct BindingError {
  std::string message;
};

/// Argument reader for one binding call. Type errors throw BindingError with Lua's usual wording
/// ("bad argument #1 to 'sha256' (string expected, got nil)").
class Args {
 public:
  Args(lua_State* L, const char* fname) : L_(L), fname_(fname) {}
  int count() const { return lua_gettop(L_); }
  bool IsNoneOrNil(int i) const { return lua_isnoneornil(L_, i); }
  std::string String(int i) const;
  std::string OptString(int i, const std::string& fallback) const;
  double Number(int i) const;
  int64_t Integer(int i) const;
  bool Bool(int i) const;
  /// Any Lua value converted to a Value (tables become lists or maps).
  Value Any(int i) const;
  /// A table converted to a Value map (or list); throws unless the argument is a table.
  Value Table(int i) const;
  lua_State* state() const { return L_; }
  const char* fname() const { return fname_; }
  [[noreturn]] void Fail(int i, const std::string& what) const;

 private:
  lua_State* L_;
  const char* fname_;
};

/// What a binding returns to Lua. Each Value is pushed as a Lua value (maps/lists as tables,
/// null as nil).
using Returns = std::vector<Value>;

/// Runs `body(args, returns)` and returns the number of results pushed, or raises the error.
/// `name` is used in error messages. Use as the whole body of a lua_CFunction:
///   int Sha256(lua_State* L) {
///     return Bind(L, "sha256", [](Args& a, Returns& r) { r.push_back(Hex(Digest(a.String(1))));
///     });
///   }
template <class F>
int Bind(lua_State* L, const char* name, F&& body);

namespace internal {
/// Pushes `results` in protected mode; on failure stores the message in `error` (<= cap bytes).
bool PushProtected(lua_State* L, const Returns& results, char* error, size_t cap);
void CopyMessage(const std::string& msg, char* error, size_t cap);
/// Calls `pusher(results)` in protected mode, expecting it to push `count` values (a memory
/// error while building them must not jump over C++ frames); on failure stores the message in
/// `error` (<= cap bytes). The shared body of every BindWith pusher.
bool PushWithProtected(lua_State* L, lua_CFunction pusher, const void* results, int count,
                       char* error, size_t cap);
/// Raises a Lua error with `message` blamed on the caller's line. Never returns.
[[noreturn]] int RaiseError(lua_State* L, const char* message);
}  // namespace internal

namespace internal {
/// The body of Bind, for any kind of result list and the function that pushes it.
template <class Results, class F>
int BindWith(lua_State* L, const char* name, F&& body,
             bool (*push)(lua_State*, const Results&, char*, size_t)) {
  // The message lives in a plain array so that nothing needs destroying when lua_error jumps.
  char error[1024];
  error[0] = '\0';
  int pushed = 0;
  {
    Args args(L, name);
    Results results;
    try {
      body(args, results);
      if (push(L, results, error, sizeof error)) pushed = static_cast<int>(results.size());
    } catch (const BindingError& e) {
      CopyMessage(e.message, error, sizeof error);
    } catch (const std::exception& e) {
      CopyMessage(std::string(name) + ": " + e.what(), error, sizeof error);
    }
  }
  if (error[0] != '\0') RaiseError(L, error);
  return pushed;
}
}  // namespace internal

template <class F>
int Bind(lua_State* L, const char* name, F&& body) {
  return internal::BindWith<Returns>(L, name, std::forward<F>(body), &internal::PushProtected);
}

}  // namespace cairn::lua
