#include "engine/lua/modules/json_encode.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/json_text.h"
#include "engine/lua/convert.h"
#include "engine/lua/lazy_state.h"
#include "engine/lua/modules/json_lua.h"

namespace cairn::lua {
namespace {

constexpr int kMaxDepth = kJsonMaxDepth;

// Accepts what json_lua.cc's Convert and ConvertTable accept; writes what nlohmann's serializer
// writes, as engine/base/json.cc's JsonWriter does for Values. Stops at anything else.
class Encoder {
 public:
  Encoder(lua_State* L, int indent, std::string* out) : L_(L), indent_(indent), out_(*out) {
    lua_getfield(L, LUA_REGISTRYINDEX, kUnknownKey);
    unknown_ = lua_topointer(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
    array_meta_ = lua_topointer(L, -1);
    lua_pop(L, 1);
  }

  /// Whether it met a string that is not UTF-8 (left to nlohmann, whose strict dump refuses it).
  bool failed() const { return failed_; }

  bool Value(int index, int depth) {
    lua_State* L = L_;
    switch (lua_type(L, index)) {
      case LUA_TNONE:
      case LUA_TNIL: out_ += "null"; return true;
      case LUA_TBOOLEAN: out_ += lua_toboolean(L, index) ? "true" : "false"; return true;
      case LUA_TNUMBER:
        if (lua_isinteger(L, index)) {
          out_ += std::to_string(static_cast<int64_t>(lua_tointeger(L, index)));
          return true;
        }
        if (!std::isfinite(lua_tonumber(L, index))) return false;
        out_ += nlohmann::json(static_cast<double>(lua_tonumber(L, index))).dump();
        return true;
      case LUA_TSTRING: {
        size_t len = 0;
        const char* s = lua_tolstring(L, index, &len);
        String(std::string_view(s, len));
        return true;
      }
      case LUA_TLIGHTUSERDATA:
        if (IsJsonNull(L, index)) {
          out_ += "null";
          return true;
        }
        break;
      case LUA_TTABLE:
        if (unknown_ != nullptr && lua_topointer(L, index) == unknown_) return false;
        return Table(index, depth);
      default: break;
    }
    return false;
  }

 private:
  bool Table(int index, int depth) {
    lua_State* L = L_;
    if (depth > kMaxDepth || !lua_checkstack(L, 4)) return false;
    if (std::string why; !CompleteLazyState(L, index, &why)) return false;
    bool marked = false;
    if (lua_getmetatable(L, index)) {
      marked = lua_topointer(L, -1) == array_meta_;
      lua_pop(L, 1);
    }
    TableKeys counted;
    if (!CountTableKeys(L, index, &counted)) return false;
    const lua_Integer n = counted.items;
    const size_t keys = counted.names;
    const bool has_string_keys = keys > 0, has_number_keys = n > 0;
    if (has_string_keys && (has_number_keys || marked)) return false;
    if (has_number_keys || marked) {
      if (n == 0) {
        out_ += "[]";
        return true;
      }
      out_ += '[';
      for (lua_Integer i = 1; i <= n; ++i) {
        if (i > 1) out_ += ',';
        NewLine(depth + 1);
        if (lua_rawgeti(L, index, i) == LUA_TNIL) {
          lua_pop(L, 1);
          return false;
        }
        bool ok = Value(lua_gettop(L), depth + 1);
        lua_pop(L, 1);
        if (!ok) return false;
      }
      NewLine(depth);
      out_ += ']';
      return true;
    }
    if (keys == 0) {
      out_ += "{}";
      return true;
    }
    // The members stay on the stack (key, value) while they are written in key order, so that
    // nothing is allocated in Lua here (a memory error would jump over this frame).
    if (keys > 100000 || !lua_checkstack(L, static_cast<int>(2 * keys + 8))) return false;
    int base = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, index) != 0) lua_pushvalue(L, -2);
    struct Member {
      std::string_view key;
      int value;  // stack index
    };
    std::vector<Member> members;
    members.reserve(keys);
    for (int i = base + 1; i < lua_gettop(L); i += 2) {
      size_t len = 0;
      const char* k = lua_tolstring(L, i, &len);
      members.push_back(Member{std::string_view(k, len), i + 1});
    }
    std::sort(members.begin(), members.end(),
              [](const Member& a, const Member& b) { return a.key < b.key; });
    out_ += '{';
    bool ok = true;
    for (size_t i = 0; i < members.size() && ok; ++i) {
      if (i > 0) out_ += ',';
      NewLine(depth + 1);
      String(members[i].key);
      out_ += indent_ < 0 ? ":" : ": ";
      ok = Value(members[i].value, depth + 1);
    }
    lua_settop(L, base);
    if (!ok) return false;
    NewLine(depth);
    out_ += '}';
    return true;
  }

  void NewLine(int depth) {
    if (indent_ < 0) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(depth) * static_cast<size_t>(indent_), ' ');
  }

  void String(std::string_view s) {
    if (!json_text::AppendQuoted(s, &out_)) failed_ = true;  // not UTF-8: dump's strict error
  }

  lua_State* L_;
  int indent_;
  bool failed_ = false;
  std::string& out_;
  const void* unknown_ = nullptr;
  const void* array_meta_ = nullptr;
};

}  // namespace

bool EncodeLuaJson(lua_State* L, int index, int indent, std::string* out) {
  Encoder e(L, indent, out);
  return e.Value(lua_absindex(L, index), 0) && !e.failed();
}

}  // namespace cairn::lua
