#include "engine/lua/sandbox.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "engine/base/edit_distance.h"
#include "engine/lua/binding.h"
#include "engine/lua/chunk_cache.h"
#include "engine/lua/convert.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

// Registry keys.
constexpr const char* kGlobalsKey = "cairn.globals";
constexpr const char* kEnvMetaKey = "cairn.envmt";
constexpr const char* kLoadedKey = "cairn.loaded";

constexpr size_t kMaxSourceBytes = size_t{16} << 20;

// Base functions a plugin may use; everything else in the base library is left out.
const char* const kBaseAllowed[] = {
    "assert",   "error",        "ipairs",       "next",     "pairs",    "pcall",  "select",
    "tonumber", "tostring",     "type",         "xpcall",   "rawequal", "rawget", "rawlen",
    "rawset",   "setmetatable", "getmetatable", "_VERSION", nullptr,
};
const char* const kGlobalNames[] = {"string", "table", "math",    "utf8",
                                    "os",     "cairn", "require", nullptr};
const char* const kOsAllowed[] = {"time", "clock", "date", nullptr};

// The glue between Lua and the host for cairn.fail and require; runs once per VM.
constexpr const char* kPrelude = R"lua(
local where, fail_mt, unknown, find_source, compile, open_host, loaded = ...
local error, type, setmetatable, rawequal, tostring, pcall = error, type, setmetatable, rawequal, tostring, pcall
local loading = {}

local function fail(message, opts)
  if type(message) ~= "string" then
    error("bad argument #1 to 'fail' (string expected, got " .. type(message) .. ")", 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'fail' (table expected, got " .. type(opts) .. ")", 2)
  end
  opts = opts or {}
  local hint = opts.hint
  if hint ~= nil then hint = tostring(hint) end
  local path = opts.path
  if path ~= nil then path = tostring(path) end
  local retry_after = opts.retry_after
  if retry_after ~= nil and type(retry_after) ~= "number" then
    error("bad argument #2 to 'fail' (retry_after must be a number of seconds)", 2)
  end
  error(setmetatable({ message = where(2) .. message, hint = hint, path = path,
                       retry_after = retry_after,
                       retryable = opts.retryable == true }, fail_mt), 0)
end

local function is_unknown(v) return rawequal(v, unknown) end

local function require(name)
  if type(name) ~= "string" then
    error("bad argument #1 to 'require' (string expected, got " .. type(name) .. ")", 2)
  end
  local m = loaded[name]
  if m ~= nil then return m end
  if loading[name] then error("module '" .. name .. "' is required while it is being loaded (a require loop)", 2) end
  local kind, a, b = find_source(name)
  if kind == nil then error(a, 2) end
  loading[name] = true
  local ok, result
  if kind == "host" then
    ok, result = pcall(open_host, a)
  else
    ok, result = pcall(function() return compile(b, a)(name) end)
  end
  loading[name] = nil
  if not ok then error(result, 0) end
  if result == nil then result = true end
  loaded[name] = result
  return result
end

return { fail = fail, is_unknown = is_unknown, api = 1, unknown = unknown }, require
)lua";

// ---- Functions reachable only from the prelude. They own no C++ objects, so a Lua error
// ---- raised in them unwinds nothing that needs destroying.

int UndeclaredRead(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "undeclared global '%s' (declare it with 'local', or check the spelling)",
                    name ? name : "?");
}

int UndeclaredWrite(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "assignment to undeclared global '%s' (use 'local')", name ? name : "?");
}

int Where(lua_State* L) {
  luaL_where(L, static_cast<int>(luaL_checkinteger(L, 1)));
  return 1;
}

// Pushes a fresh environment table for one chunk.
void PushEnv(lua_State* L) {
  lua_newtable(L);
  lua_getfield(L, LUA_REGISTRYINDEX, kEnvMetaKey);
  lua_setmetatable(L, -2);
}

// compile(text, chunkname) -> function. Text only: a binary chunk is a syntax error.
int Compile(lua_State* L) {
  size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  const char* name = luaL_checkstring(L, 2);
  if (LoadSourceCached(L, text, len, name) != LUA_OK) return lua_error(L);
  PushEnv(L);
  if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
  return 1;
}

int OpenHost(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  for (const HostModule& m : HostModules()) {
    if (std::strcmp(m.name, name) == 0) {
      lua_pushcfunction(L, m.open);
      lua_call(L, 0, 1);
      return 1;
    }
  }
  return luaL_error(L, "no host module '%s'", name);
}

int UnknownToString(lua_State* L) {
  lua_pushliteral(L, "(known after apply)");
  return 1;
}

int FailToString(lua_State* L) {
  lua_pushliteral(L, "message");
  lua_rawget(L, 1);
  return 1;
}

// ---- find_source: the only part of require that touches files; a Bind binding.

bool ValidPart(const std::string& part) {
  if (part.empty()) return false;
  for (char c : part)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

bool ReadSource(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return out->size() <= kMaxSourceBytes;
}

std::string Upvalue(lua_State* L, int i) {
  size_t len = 0;
  const char* s = lua_tolstring(L, lua_upvalueindex(i), &len);
  return s ? std::string(s, len) : std::string();
}

void FindSource(Args& a, Returns& r) {
  lua_State* L = a.state();
  std::string name = a.String(1);
  std::string plugin_dir = Upvalue(L, 1), plugin_display = Upvalue(L, 2);
  std::string lib_dir = Upvalue(L, 3), lib_display = Upvalue(L, 4);
  auto fail = [&r](std::string message) {
    r.clear();
    r.push_back(Value());
    r.push_back(Value(std::move(message)));
  };
  if (name.find('/') != std::string::npos || name.find('\\') != std::string::npos ||
      name.find("..") != std::string::npos) {
    return fail("invalid module name '" + name +
                "': name modules with dots, e.g. require(\"lib.util\"); '/' and '..' are not "
                "allowed");
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const std::string& part : parts)
    if (!ValidPart(part))
      return fail("invalid module name '" + name +
                  "': each part may hold only letters, digits, '_' and '-'");

  if (parts[0] == "host") {
    std::vector<std::string> names;
    for (const HostModule& m : HostModules()) {
      if (parts.size() == 2 && parts[1] == m.name) {
        r.push_back(Value("host"));
        r.push_back(Value(parts[1]));
        return;
      }
      names.push_back(std::string("host.") + m.name);
    }
    std::string msg = "no host module '" + name + "'";
    std::string dym = DidYouMean(name, names);
    if (!dym.empty()) msg += "; " + dym;
    std::string all;
    for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
    return fail(msg + " (host modules: " + all + ")");
  }

  std::string dir = plugin_dir, display = plugin_display, where = "the plugin's own files";
  size_t first = 0;
  if (parts[0] == "lib" && parts.size() > 1) {
    dir = lib_dir;
    display = lib_display;
    where = "the shared library folder";
    first = 1;
  }
  std::string rel;
  for (size_t i = first; i < parts.size(); ++i) rel += (i > first ? "/" : "") + parts[i];
  rel += ".lua";
  std::string text;
  if (!dir.empty() && ReadSource(dir + "/" + rel, &text)) {
    r.push_back(Value("file"));
    r.push_back(Value("@" + display + "/" + rel));
    r.push_back(Value(std::move(text)));
    return;
  }
  std::string searched = dir.empty() ? "(none: " + where + " are not available here)"
                                     : display + "/" + rel + " (" + where + ")";
  fail("module '" + name + "' not found; searched " + searched +
       "; require(\"lib.<name>\") loads plugins/lib/<name>.lua and require(\"host.<name>\") a "
       "host module");
}

int FindSourceBinding(lua_State* L) { return Bind(L, "require", FindSource); }

// Copies t[name] for each name from the table at `from` into the table at `to`.
void CopyFields(lua_State* L, int from, int to, const char* const* names) {
  for (; *names != nullptr; ++names) {
    lua_getfield(L, from, *names);
    lua_setfield(L, to, *names);
  }
}

// Builds the sandbox; runs in protected mode. Argument 1: the SandboxOptions.
int Install(lua_State* L) {
  const auto* opts = static_cast<const SandboxOptions*>(lua_touserdata(L, 1));
  lua_settop(L, 0);

  // Libraries, each opened on its own; the real global table stays unreachable from plugins.
  luaL_requiref(L, "_G", luaopen_base, 0);              // 1: base
  luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 0);  // 2
  luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 0);   // 3
  luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 0);   // 4
  luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 0);   // 5
  luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);       // 6
  lua_pushnil(L);
  lua_setfield(L, 2, "dump");  // also gone from the string metatable's __index (same table)

  lua_newtable(L);  // 7: the sandbox globals
  CopyFields(L, 1, 7, kBaseAllowed);
  lua_pushvalue(L, 2);
  lua_setfield(L, 7, "string");
  lua_pushvalue(L, 3);
  lua_setfield(L, 7, "table");
  lua_pushvalue(L, 4);
  lua_setfield(L, 7, "math");
  lua_pushvalue(L, 5);
  lua_setfield(L, 7, "utf8");
  lua_newtable(L);
  CopyFields(L, 6, lua_gettop(L), kOsAllowed);
  lua_setfield(L, 7, "os");
  // Scrub the real global table too, in case anything ever hands it out.
  for (const char* name : {"load", "loadfile", "dofile", "collectgarbage", "print", "require"}) {
    lua_pushnil(L);
    lua_setfield(L, 1, name);
  }

  // Guard: reading or writing an undeclared global is an error.
  lua_newtable(L);  // 8: metatable of the globals
  lua_pushcfunction(L, UndeclaredRead);
  lua_setfield(L, 8, "__index");
  lua_pushcfunction(L, UndeclaredWrite);
  lua_setfield(L, 8, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, 8, "__metatable");
  lua_pushvalue(L, 8);
  lua_setmetatable(L, 7);
  lua_pop(L, 1);

  lua_newtable(L);  // 8: metatable of each chunk's _ENV
  lua_pushvalue(L, 7);
  lua_setfield(L, 8, "__index");
  lua_pushcfunction(L, UndeclaredWrite);
  lua_setfield(L, 8, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, 8, "__metatable");
  lua_setfield(L, LUA_REGISTRYINDEX, kEnvMetaKey);
  lua_pushvalue(L, 7);
  lua_setfield(L, LUA_REGISTRYINDEX, kGlobalsKey);

  // The unknown sentinel and the fail marker.
  if (lua_getfield(L, LUA_REGISTRYINDEX, kUnknownKey) != LUA_TTABLE) {  // 8
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, kUnknownKey);
  }
  lua_newtable(L);
  lua_pushcfunction(L, UnknownToString);
  lua_setfield(L, -2, "__tostring");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, 8);
  luaL_newmetatable(L, kFailKey);  // 9
  lua_pushcfunction(L, FailToString);
  lua_setfield(L, 9, "__tostring");
  lua_newtable(L);  // 10: module cache
  lua_pushvalue(L, 10);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadedKey);

  // Prelude(where, fail_mt, unknown, find_source, compile, open_host, loaded).
  if (LoadSourceCached(L, kPrelude, std::strlen(kPrelude), "=[cairn]") != LUA_OK)
    return lua_error(L);
  lua_pushcfunction(L, Where);
  lua_pushvalue(L, 9);
  lua_pushvalue(L, 8);
  lua_pushlstring(L, opts->plugin_dir.data(), opts->plugin_dir.size());
  lua_pushlstring(L, opts->plugin_display.data(), opts->plugin_display.size());
  lua_pushlstring(L, opts->lib_dir.data(), opts->lib_dir.size());
  lua_pushlstring(L, opts->lib_display.data(), opts->lib_display.size());
  lua_pushcclosure(L, FindSourceBinding, 4);
  lua_pushcfunction(L, Compile);
  lua_pushcfunction(L, OpenHost);
  lua_pushvalue(L, 10);
  lua_call(L, 7, 2);  // cairn table, require
  // Raw sets: the globals table already refuses ordinary writes.
  lua_pushliteral(L, "require");
  lua_insert(L, -2);
  lua_rawset(L, 7);
  lua_pushliteral(L, "cairn");
  lua_insert(L, -2);
  lua_rawset(L, 7);
  return 0;
}

}  // namespace

Status InstallSandbox(Vm* vm, const SandboxOptions& options) {
  lua_pushlightuserdata(vm->L(), const_cast<SandboxOptions*>(&options));
  return vm->CallC(Install, 1, 0);
}

Status LoadChunk(Vm* vm, const std::string& text, const std::string& chunkname) {
  lua_State* L = vm->L();
  lua_pushlstring(L, text.data(), text.size());
  lua_pushlstring(L, chunkname.data(), chunkname.size());
  return vm->CallC(Compile, 2, 1);
}

Status LoadFile(Vm* vm, const std::string& path, const std::string& display) {
  std::string text;
  if (!ReadSource(path, &text))
    return Status::Error("cannot read " + path, "check that the file exists and is readable");
  return LoadChunk(vm, text, "@" + display);
}

void DefineGlobal(Vm* vm, const char* name) {
  lua_State* L = vm->L();
  lua_getfield(L, LUA_REGISTRYINDEX, kGlobalsKey);
  lua_pushstring(L, name);
  lua_pushvalue(L, -3);
  lua_rawset(L, -3);
  lua_pop(L, 2);
}

const char* const* SandboxGlobalNames() { return kGlobalNames; }

}  // namespace cairn::lua
