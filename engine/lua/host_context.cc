#include "engine/lua/host_context.h"

#include <cstring>

namespace cairn::lua {

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "?";
}

std::string HostContext::Redact(const std::string& text) const {
  std::string out = text;
  for (const std::string& secret : sensitive_values) {
    // Very short secrets would turn ordinary words into noise; they are not worth hiding.
    if (secret.size() < 3) continue;
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), "(sensitive)");
      pos += std::strlen("(sensitive)");
    }
  }
  return out;
}

void HostContext::Log(LogLevel level, const std::string& message) const {
  if (!log_sink) return;
  std::string line = "[" + plugin + "] ";
  if (!address.empty()) line += address + ": ";
  line += message;
  log_sink(level, Redact(line));
}

double HostContext::SecondsLeft() const {
  if (deadline == std::chrono::steady_clock::time_point::max()) return 1e9;
  return std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
}

bool HostContext::InsecureAllowed(const std::string& url) const {
  for (const std::string& prefix : insecure_endpoints)
    if (!prefix.empty() && url.compare(0, prefix.size(), prefix) == 0) return true;
  return false;
}

void HostContext::EndCall() {
  address.clear();
  sensitive_values.clear();
  deadline = std::chrono::steady_clock::time_point::max();
  cancelled = nullptr;
}

HostContext* GetHostContext(lua_State* L) {
  HostContext* ctx = nullptr;
  std::memcpy(&ctx, lua_getextraspace(L), sizeof ctx);
  return ctx;
}

void SetHostContext(lua_State* L, HostContext* ctx) {
  static_assert(LUA_EXTRASPACE >= sizeof(HostContext*), "extra space holds a pointer");
  std::memcpy(lua_getextraspace(L), &ctx, sizeof ctx);
}

}  // namespace cairn::lua
