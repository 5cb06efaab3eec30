// host.jsonschema: the blueprint's JSON Schema validator, offered to plugins (e.g. to check a
// custom resource against its CRD's openAPIV3Schema before anything is sent to a cluster).
#include <memory>
#include <string>

#include "engine/blueprint/json_schema.h"
#include "engine/lua/binding.h"
#include "engine/lua/convert.h"
#include "engine/lua/lazy_state.h"
#include "engine/lua/modules/json_lua.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

constexpr int kMaxDepth = 200;
constexpr char kCompiledMeta[] = "cairn.jsonschema.compiled";

bool IsUnknownSentinel(lua_State* L, int index) {
  lua_getfield(L, LUA_REGISTRYINDEX, kUnknownKey);
  bool same = lua_rawequal(L, -1, index) != 0;
  lua_pop(L, 1);
  return same;
}

bool HasArrayMeta(lua_State* L, int index) {
  if (!lua_getmetatable(L, index)) return false;
  lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  bool same = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  return same;
}

// Like ToValue, but an array-marked empty table (json.array, decoded JSON/YAML) stays a list and
// json.null becomes null, so that a manifest decoded from text validates as the text would.
// Throws BindingError; runs inside Bind, which keeps the Lua stack balanced on the way out.
Value Convert(lua_State* L, int index, const std::string& path, int depth) {
  if (depth > kMaxDepth) throw BindingError{"jsonschema: " + path + ": nested too deeply"};
  index = lua_absindex(L, index);
  switch (lua_type(L, index)) {
    case LUA_TNIL: return Value();
    case LUA_TBOOLEAN: return Value(lua_toboolean(L, index) != 0);
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) return Value(static_cast<int64_t>(lua_tointeger(L, index)));
      return Value(static_cast<double>(lua_tonumber(L, index)));
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      return Value(std::string(s, len));
    }
    case LUA_TLIGHTUSERDATA:
      if (IsJsonNull(L, index)) return Value();
      break;
    case LUA_TTABLE: {
      if (IsUnknownSentinel(L, index)) return Value::Unknown();
      if (std::string why; !CompleteLazyState(L, index, &why))
        throw BindingError{"jsonschema: " + path + ": " + why};
      lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, index));
      bool marked = HasArrayMeta(L, index);
      if (n > 0 || marked) {
        Value::List list;
        for (lua_Integer i = 1; i <= n; ++i) {
          lua_rawgeti(L, index, i);
          list.push_back(Convert(L, -1, path + "[" + std::to_string(i - 1) + "]", depth + 1));
          lua_pop(L, 1);
        }
        return Value(std::move(list));
      }
      Value::Map map;
      lua_pushnil(L);
      while (lua_next(L, index) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) {
          lua_pop(L, 2);
          throw BindingError{"jsonschema: " + path + ": table keys must be strings"};
        }
        std::string key = lua_tostring(L, -2);
        map[key] = Convert(L, -1, path.empty() ? key : path + "." + key, depth + 1);
        lua_pop(L, 1);
      }
      return Value(std::move(map));
    }
    default: break;
  }
  throw BindingError{"jsonschema: " + (path.empty() ? std::string("value") : path) + ": a " +
                     luaL_typename(L, index) + " is not JSON"};
}

// The problems as a list of { path = "spec.x", message = "...", hint = "..." }.
Value Problems(const blueprint::JsonSchema& schema, const Value& instance) {
  Diagnostics diags;
  schema.Validate(instance, "", &diags);
  Value::List out;
  for (const Diagnostic& d : diags.items()) {
    Value::Map p;
    p["path"] = d.path;
    p["message"] = d.summary;
    if (!d.hint.empty()) p["hint"] = d.hint;
    out.emplace_back(std::move(p));
  }
  return Value(std::move(out));
}

std::unique_ptr<blueprint::JsonSchema> Compile(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TTABLE && lua_type(L, index) != LUA_TBOOLEAN)
    throw BindingError{"jsonschema: the schema must be a table"};
  auto schema = std::make_unique<blueprint::JsonSchema>(Convert(L, index, "schema", 0));
  if (!schema->schema_problems().empty())
    throw BindingError{"jsonschema: unusable schema: " +
                       schema->schema_problems().items().front().summary};
  return schema;
}

// jsonschema.validate(instance, schema) -> list of problems (empty when valid).
int Validate(lua_State* L) {
  return Bind(L, "validate", [](Args& a, Returns& r) {
    std::unique_ptr<blueprint::JsonSchema> schema = Compile(a.state(), 2);
    r.push_back(Problems(*schema, Convert(a.state(), 1, "", 0)));
  });
}

blueprint::JsonSchema** CheckCompiled(lua_State* L) {
  return static_cast<blueprint::JsonSchema**>(luaL_testudata(L, 1, kCompiledMeta));
}

// compiled:validate(instance): the same, without preparing the schema again.
int CompiledValidate(lua_State* L) {
  return Bind(L, "validate", [](Args& a, Returns& r) {
    blueprint::JsonSchema** holder = CheckCompiled(a.state());
    if (holder == nullptr || *holder == nullptr)
      throw BindingError{"jsonschema: call validate with ':' on a compiled schema"};
    r.push_back(Problems(**holder, Convert(a.state(), 2, "", 0)));
  });
}

int CompiledGc(lua_State* L) {
  blueprint::JsonSchema** holder = CheckCompiled(L);
  if (holder != nullptr) {
    delete *holder;
    *holder = nullptr;
  }
  return 0;
}

// jsonschema.compile(schema) -> an object with :validate(instance), for many instances.
int CompileSchema(lua_State* L) {
  // The userdata exists (and owns nothing) before the schema is prepared, so that neither a Lua
  // error nor a BindingError can leak the compiled schema.
  auto** holder =
      static_cast<blueprint::JsonSchema**>(lua_newuserdatauv(L, sizeof(blueprint::JsonSchema*), 0));
  *holder = nullptr;
  luaL_setmetatable(L, kCompiledMeta);
  Bind(L, "compile", [holder](Args& a, Returns&) { *holder = Compile(a.state(), 1).release(); });
  return 1;  // the userdata, still on top: the body pushed nothing
}

}  // namespace

int OpenJsonSchemaModule(lua_State* L) {
  if (luaL_newmetatable(L, kCompiledMeta)) {
    lua_pushcfunction(L, CompiledGc);
    lua_setfield(L, -2, "__gc");
    lua_newtable(L);
    lua_pushcfunction(L, CompiledValidate);
    lua_setfield(L, -2, "validate");
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  EnsureJsonArrayMeta(L);
  lua_newtable(L);
  lua_pushcfunction(L, Validate);
  lua_setfield(L, -2, "validate");
  lua_pushcfunction(L, CompileSchema);
  lua_setfield(L, -2, "compile");
  return 1;
}

}  // namespace cairn::lua
