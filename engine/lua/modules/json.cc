// host.json (not yet implemented: an empty module table).
#include "engine/lua/modules/modules.h"

namespace cairn::lua {

int OpenJsonModule(lua_State* L) {
  lua_newtable(L);
  return 1;
}

}  // namespace cairn::lua
