// lua_test_runner: runs a Lua test file in the plugin sandbox and reports each test.
//
//   lua_test_runner [--plugin DIR] [--lib DIR] [--fs-root DIR] FILE_test.lua
//
// The file returns a table of test functions ({ name = function() ... end }); each runs in its
// own protected call, in name order. A global `check` offers check.eq(a, b, msg) (deep equality),
// check.error(fn, pattern) and check.contains(s, part). Exit status 1 when anything failed.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "engine/lua/plugin_loader.h"
#include "engine/lua/sandbox.h"
#include "engine/lua/vm.h"

namespace {

constexpr const char* kCheck = R"lua(
local check = {}

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if type(v) ~= "table" or cairn.is_unknown(v) then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local parts = {}
  for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. "=" .. show(v[k]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local function equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do if not equal(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

function check.eq(actual, expected, msg)
  if not equal(actual, expected) then
    error((msg and msg .. ": " or "") .. "expected " .. show(expected) .. ", got " .. show(actual), 2)
  end
end

function check.contains(s, part, msg)
  if type(s) ~= "string" or not string.find(s, part, 1, true) then
    error((msg and msg .. ": " or "") .. "expected " .. show(s) .. " to contain " .. show(part), 2)
  end
end

function check.error(fn, pattern, msg)
  local ok, err = pcall(fn)
  if ok then error((msg and msg .. ": " or "") .. "expected an error", 2) end
  local text = type(err) == "table" and err.message or tostring(err)
  if pattern and not string.find(text, pattern, 1, true) then
    error((msg and msg .. ": " or "") .. "error " .. show(text) .. " does not contain " .. show(pattern), 2)
  end
  return err
end

return check
)lua";

int Usage() {
  std::fprintf(stderr,
               "usage: lua_test_runner [--plugin DIR] [--lib DIR] [--fs-root DIR] FILE_test.lua\n");
  return 2;
}

std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cairn::lua;
  std::string plugin_dir, lib_dir, fs_root, file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (arg == "--plugin") {
      if (!next(&plugin_dir)) return Usage();
    } else if (arg == "--lib") {
      if (!next(&lib_dir)) return Usage();
    } else if (arg == "--fs-root") {
      if (!next(&fs_root)) return Usage();
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else {
      file = arg;
    }
  }
  if (file.empty()) return Usage();

  auto vm = Vm::Create(VmOptions());
  if (vm == nullptr) return 1;
  HostContext& hc = vm->context();
  hc.plugin = "test";
  hc.fs_root = fs_root;
  hc.log_sink = [](LogLevel level, const std::string& line) {
    std::fprintf(stderr, "%s: %s\n", LogLevelName(level), line.c_str());
  };
  SandboxOptions so;
  so.plugin_dir = plugin_dir;
  if (!plugin_dir.empty())
    so.plugin_display = BaseName(ParentOf(plugin_dir)) + "/" + BaseName(plugin_dir);
  so.lib_dir = lib_dir;
  if (!lib_dir.empty()) so.lib_display = BaseName(ParentOf(lib_dir)) + "/" + BaseName(lib_dir);
  cairn::Status s = InstallSandbox(vm.get(), so);
  if (s.ok()) s = LoadChunk(vm.get(), kCheck, "=[check]");
  if (s.ok()) s = vm->Call(0, 1);
  if (!s.ok()) {
    std::fprintf(stderr, "setting up the sandbox: %s\n", s.message().c_str());
    return 1;
  }
  DefineGlobal(vm.get(), "check");

  std::string display = BaseName(ParentOf(file)) + "/" + BaseName(file);
  s = LoadFile(vm.get(), file, display);
  if (s.ok()) s = vm->Call(0, 1);
  lua_State* L = vm->L();
  if (s.ok() && lua_type(L, -1) != LUA_TTABLE) {
    s = cairn::Status::Error(display + " must return a table of test functions");
    lua_pop(L, 1);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  int tests = lua_gettop(L);
  std::vector<std::string> names;
  lua_pushnil(L);
  while (lua_next(L, tests) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TFUNCTION)
      names.push_back(lua_tostring(L, -2));
    lua_pop(L, 1);
  }
  std::sort(names.begin(), names.end());
  int passed = 0, failed = 0;
  for (const std::string& name : names) {
    lua_pushstring(L, name.c_str());
    lua_rawget(L, tests);
    cairn::Status r = vm->Call(0, 0);
    if (r.ok()) {
      ++passed;
      std::printf("ok   %s\n", name.c_str());
    } else {
      ++failed;
      std::printf("FAIL %s: %s\n", name.c_str(), r.message().c_str());
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  if (names.empty()) {
    std::fprintf(stderr, "%s returned no test functions\n", display.c_str());
    return 1;
  }
  return failed == 0 ? 0 : 1;
}
