// Plugin discovery and loading: from folders of provider.lua files to provider::Provider objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/diag.h"
#include "engine/base/status.h"
#include "engine/lua/host_context.h"
#include "engine/provider/provider.h"

namespace cairn::lua {

/// One plugin found on disk.
struct PluginInfo {
  std::string name;           // folder name, e.g. "local"
  std::string dir;            // the plugin's folder
  std::string provider_file;  // dir + "/provider.lua"
  std::string display_root;   // the search dir as shown in messages, e.g. "plugins"

  /// How a file of this plugin is named in messages: "plugins/local/provider.lua".
  std::string Display(const std::string& file = "provider.lua") const {
    return display_root + "/" + name + "/" + file;
  }
};

/// Every folder <dir>/<name>/provider.lua under each search dir (skipping "lib"); a plugin in a
/// later dir overrides one of the same name in an earlier dir. Missing search dirs and badly
/// named folders are reported in `diags`. Sorted by name.
std::vector<PluginInfo> DiscoverPlugins(const std::vector<std::string>& search_dirs,
                                        Diagnostics* diags);

/// Settings shared by every plugin VM of a run.
struct HostOptions {
  std::string lib_dir;                       // plugins/lib, for require("lib.x") ("": none)
  std::string blueprint_dir;                 // relative output_dir settings are resolved against it
  size_t memory_limit = size_t{256} << 20;   // per VM
  uint64_t instruction_limit = 200'000'000;  // per call
  int max_vms = 10;                          // per plugin: how many calls may run at once
  bool traceback = false;                    // add Lua tracebacks to errors (--debug)
  LogSink log_sink;                          // plugin log lines ("[local] addr: msg")
};

/// Loads one plugin (one VM), validates its table (name matches the folder, api == 1, every
/// resource has the required functions and a well-formed schema; errors name the plugin file and
/// line where possible) and returns it as a provider.
Result<std::unique_ptr<provider::Provider>> LoadPlugin(const PluginInfo& info,
                                                       const HostOptions& options);

/// The last component of a path ("plugins" for "/src/plugins/").
std::string BaseName(const std::string& path);

}  // namespace cairn::lua
