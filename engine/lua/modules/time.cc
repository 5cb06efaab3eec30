// host.time: the wall clock and a sleep bounded by the call's deadline, for plugins that wait
// for a remote object to become ready (a CRD Established, a Deployment Available).
#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/lua/binding.h"
#include "engine/lua/host_context.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

// Sleeping happens in short steps so that Ctrl-C (ctx->cancelled) is noticed quickly.
constexpr double kStepSeconds = 0.05;

// time.now() -> seconds since the epoch, as a float (the unit of ctx.deadline).
int Now(lua_State* L) {
  return Bind(L, "now", [](Args&, Returns& r) {
    auto since = std::chrono::system_clock::now().time_since_epoch();
    r.emplace_back(std::chrono::duration<double>(since).count());
  });
}

// time.sleep(seconds) -> true, or false when the deadline or a cancellation cut it short.
int Sleep(lua_State* L) {
  return Bind(L, "sleep", [](Args& a, Returns& r) {
    double seconds = a.Number(1);
    if (!(seconds >= 0)) a.Fail(1, "seconds must be zero or more");
    HostContext* ctx = GetHostContext(a.state());
    bool full = true;
    if (ctx != nullptr && ctx->SecondsLeft() < seconds) {
      seconds = std::max(0.0, ctx->SecondsLeft());
      full = false;
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
      if (ctx != nullptr && ctx->cancelled != nullptr && ctx->cancelled->load()) {
        full = false;
        break;
      }
      auto left = std::chrono::duration<double>(until - std::chrono::steady_clock::now()).count();
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, kStepSeconds)));
    }
    r.emplace_back(full);
  });
}

}  // namespace

int OpenTimeModule(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, Now);
  lua_setfield(L, -2, "now");
  lua_pushcfunction(L, Sleep);
  lua_setfield(L, -2, "sleep");
  return 1;
}

}  // namespace cairn::lua
