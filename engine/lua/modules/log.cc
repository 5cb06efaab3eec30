// host.log: plugin log lines, tagged with the plugin and resource and redacted, to the host's sink.
#include "engine/lua/binding.h"
#include "engine/lua/host_context.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

template <LogLevel kLevel>
int LogAt(lua_State* L) {
  return Bind(L, LogLevelName(kLevel), [L](Args& a, Returns&) {
    Value v = a.Any(1);
    std::string message = v.is_string() ? v.AsString() : v.ToString();
    for (int i = 2; i <= a.count(); ++i) {
      Value more = a.Any(i);
      message += " " + (more.is_string() ? more.AsString() : more.ToString());
    }
    if (HostContext* ctx = GetHostContext(L)) ctx->Log(kLevel, message);
  });
}

}  // namespace

int OpenLogModule(lua_State* L) {
  static const luaL_Reg kFunctions[] = {
      {"debug", LogAt<LogLevel::kDebug>},
      {"info", LogAt<LogLevel::kInfo>},
      {"warn", LogAt<LogLevel::kWarn>},
      {"error", LogAt<LogLevel::kError>},
      {nullptr, nullptr},
  };
  luaL_newlib(L, kFunctions);
  return 1;
}

}  // namespace cairn::lua
