// host.json: JSON text <-> Lua values, with sorted keys so that output is stable.
#include <string>
#include <vector>

#include "engine/lua/binding.h"
#include "engine/lua/modules/json_decode.h"
#include "engine/lua/modules/json_encode.h"
#include "engine/lua/modules/json_list.h"
#include "engine/lua/modules/json_lua.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

// "[json.exception.parse_error.101] parse error at ..." -> "parse error at ...".
std::string StripExceptionTag(const std::string& what) {
  if (what.rfind("[json.exception.", 0) == 0) {
    size_t end = what.find("] ");
    if (end != std::string::npos) return what.substr(end + 2);
  }
  return what;
}

int Encode(lua_State* L) {
  return Bind(L, "encode", [](Args& a, Returns& r) {
    int indent = -1;
    if (!a.IsNoneOrNil(2)) {
      Value opts = a.Table(2);
      if (const Value* v = opts.Find("indent")) {
        if (!v->is_int() || v->AsInt() < 0 || v->AsInt() > 16)
          a.Fail(2, "indent must be an integer from 0 to 16");
        indent = static_cast<int>(v->AsInt());
      }
    }
    std::string text;
    if (EncodeLuaJson(a.state(), 1, indent, &text)) {
      r.push_back(std::move(text));
      return;
    }
    // Refused: the document path words why (or writes what the direct writer left to it).
    nlohmann::json j;
    std::string error;
    if (!LuaToJson(a.state(), 1, &j, &error)) a.Fail(1, error);
    try {
      r.push_back(j.dump(indent, ' ', false, nlohmann::json::error_handler_t::strict));
    } catch (const nlohmann::json::exception&) {
      throw BindingError{
          "json.encode: a string is not valid UTF-8 (encode binary data with host.base64 first)"};
    }
  });
}

std::vector<JsonDropKey> DropKeys(Args& a) {
  std::vector<JsonDropKey> keys;
  if (a.IsNoneOrNil(2)) return keys;
  Value opts = a.Table(2);
  const Value* drop = opts.Find("drop_keys");
  if (drop == nullptr) return keys;
  if (!drop->is_list()) a.Fail(2, "drop_keys must be a list of strings");
  for (const Value& k : drop->AsList()) {
    if (!k.is_string()) a.Fail(2, "drop_keys must be a list of strings");
    const std::string& s = k.AsString();
    size_t dot = s.rfind('.');
    if (dot == std::string::npos)
      keys.push_back(JsonDropKey{"", s});
    else
      keys.push_back(JsonDropKey{s.substr(0, dot), s.substr(dot + 1)});
  }
  return keys;
}

// json.decode(text [, { drop_keys = {...} }]): members with those keys ("key" or "parent.key")
// are left out at any depth, so that bulky parts a caller never reads (Kubernetes' managedFields)
// are not converted into Lua tables.
int Decode(lua_State* L) {
  return internal::BindWith<JsonTapeReturns>(
      L, "decode",
      [](Args& a, JsonTapeReturns& r) {
        std::string text = a.String(1);
        std::vector<JsonDropKey> drop = DropKeys(a);
        r.emplace_back();
        std::string error;
        if (!ParseJsonTape(text, drop, &r.back(), &error))
          throw BindingError{"json.decode: " + StripExceptionTag(error)};
      },
      &internal::PushJsonTapesProtected);
}

// json.decode_list(text [, { fields = { "metadata.name", ... }, drop_keys = {...} }]) -> doc,
// items: the document without its `items`, and per item { json = text, fields = { [path] = v } },
// so that a refresh decodes only the items whose fields say they changed (see json_list.h).
int DecodeList(lua_State* L) {
  return internal::BindWith<JsonList>(
      L, "decode_list",
      [](Args& a, JsonList& r) {
        if (lua_type(a.state(), 1) != LUA_TSTRING)
          a.Fail(1, std::string("string expected, got ") + luaL_typename(a.state(), 1));
        std::vector<JsonDropKey> drop = DropKeys(a);
        std::vector<std::string> fields;
        if (!a.IsNoneOrNil(2)) {
          Value opts = a.Table(2);
          if (const Value* f = opts.Find("fields"); f != nullptr) {
            if (!f->is_list()) a.Fail(2, "fields must be a list of strings");
            for (const Value& path : f->AsList()) {
              if (!path.is_string() || path.AsString().empty())
                a.Fail(2, "fields must be a list of non-empty strings");
              fields.push_back(path.AsString());
            }
          }
        }
        // `r` points into the Lua string, which stays on the stack until the values are pushed.
        size_t len = 0;
        const char* text = lua_tolstring(a.state(), 1, &len);
        std::string error;
        if (!IndexJsonList(std::string_view(text, len), fields, drop, &r, &error))
          throw BindingError{"json.decode_list: " + StripExceptionTag(error)};
      },
      &internal::PushJsonListProtected);
}

// json.array(t): marks t so that it encodes as a JSON array even when empty. No C++ objects live
// in this function, so it may use the raising Lua API directly.
int Array(lua_State* L) {
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  lua_setmetatable(L, 1);
  return 1;
}

}  // namespace

int OpenJsonModule(lua_State* L) {
  EnsureJsonArrayMeta(L);
  static const luaL_Reg kFunctions[] = {{"encode", Encode},
                                        {"decode", Decode},
                                        {"decode_list", DecodeList},
                                        {"array", Array},
                                        {nullptr, nullptr}};
  luaL_newlib(L, kFunctions);
  PushJsonNull(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace cairn::lua
