// Sandbox: the restricted environment every plugin chunk runs in, and the plugin `require`.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/lua/vm.h"

namespace cairn::lua {

/// Where `require` looks, and how those folders are named in chunk names and messages.
struct SandboxOptions {
  std::string plugin_dir;      // the plugin's own folder ("": require finds no plugin files)
  std::string plugin_display;  // that folder in messages, e.g. "plugins/local"
  std::string lib_dir;         // the shared library folder, plugins/lib ("": no lib.*)
  std::string lib_display;     // e.g. "plugins/lib"
};

/// Prepares a fresh Vm: opens base/string/table/math/utf8 and os.time/clock/date only, drops
/// everything unsafe (io, debug, package, load, dofile, string.dump, ...), defines the `cairn`
/// table (unknown, is_unknown, fail, api) and `require`. Call once per Vm.
Status InstallSandbox(Vm* vm, const SandboxOptions& options);

/// Compiles Lua source text (binary chunks are refused) with a fresh _ENV that reads the
/// sandbox globals and refuses undeclared globals, and pushes the chunk function.
Status LoadChunk(Vm* vm, const std::string& text, const std::string& chunkname);

/// Reads `path` and compiles it like LoadChunk with chunk name "@" + display.
Status LoadFile(Vm* vm, const std::string& path, const std::string& display);

/// Pops the value on top of the stack and makes it a global every chunk can read.
void DefineGlobal(Vm* vm, const char* name);

/// The library names of the sandbox globals (for tests and documentation).
const char* const* SandboxGlobalNames();

}  // namespace cairn::lua
