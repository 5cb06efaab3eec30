// Host context: the per-VM settings and per-call facts that host modules (fs, http, log) consult.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <lua.hpp>

namespace cairn::lua {

/// How important a plugin's log line is.
enum class LogLevel { kDebug, kInfo, kWarn, kError };

/// "debug", "info", "warn", "error".
const char* LogLevelName(LogLevel level);

/// Where plugin log lines go; the line is already prefixed and redacted. Called from any thread.
using LogSink = std::function<void(LogLevel, const std::string&)>;

/// What one VM's host modules may do and what the current call is about. One per lua_State;
/// the VM owns it and a module reaches it with GetHostContext(L). The VM is used by one thread
/// at a time, so modules may read it without locking.
struct HostContext {
  // Set once when the plugin is configured.
  std::string plugin;                           // plugin name, e.g. "local"
  std::string fs_root;                          // absolute folder host.fs is confined to ("": none)
  std::vector<std::string> insecure_endpoints;  // URL prefixes where http may skip TLS checks
  LogSink log_sink;                             // nullptr: log lines are dropped

  // Set for the duration of one provider call, cleared afterwards.
  std::string address;                        // resource address ("" outside a resource call)
  std::vector<std::string> sensitive_values;  // strings to hide from logs and error messages
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  const std::atomic<bool>* cancelled = nullptr;  // set when the user asked to stop

  /// Replaces every sensitive value in `text` by "(sensitive)".
  std::string Redact(const std::string& text) const;
  /// Sends "[plugin] address: message" (redacted) to the sink.
  void Log(LogLevel level, const std::string& message) const;
  /// Seconds left before the deadline (a large number when there is none; <= 0 when passed).
  double SecondsLeft() const;
  /// True when `url` starts with one of insecure_endpoints.
  bool InsecureAllowed(const std::string& url) const;
  /// Forgets the per-call fields.
  void EndCall();
};

/// The context of the VM that owns `L` (any of its coroutines too), or nullptr when none was set.
/// REQUIRES: `L` was made by Vm (which always sets it, possibly to nullptr) or SetHostContext
/// was called on it; a bare lua_newstate's extra space is uninitialised.
HostContext* GetHostContext(lua_State* L);

/// Attaches `ctx` to `L` (stored in the state's extra space, which coroutines inherit).
/// Call before creating any coroutine. Done by Vm; tests of modules may call it directly.
void SetHostContext(lua_State* L, HostContext* ctx);

}  // namespace cairn::lua
