#include "engine/lua/plugin_loader.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <system_error>

#include "engine/lua/lua_provider.h"

namespace cairn::lua {
namespace {

bool ValidPluginName(const std::string& name) {
  if (name.empty() || !std::islower(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

}  // namespace

std::string BaseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::vector<PluginInfo> DiscoverPlugins(const std::vector<std::string>& search_dirs,
                                        Diagnostics* diags) {
  namespace fs = std::filesystem;
  std::map<std::string, PluginInfo> found;
  for (const std::string& dir : search_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      diags->Error({}, "", "plugin directory '" + dir + "' does not exist",
                   "check --plugin-dir and the blueprint's plugins: list");
      continue;
    }
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      entries.push_back(it->path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path& entry : entries) {
      std::string name = entry.filename().string();
      if (name == "lib" || !fs::is_directory(entry, ec)) continue;
      fs::path provider = entry / "provider.lua";
      if (!fs::is_regular_file(provider, ec)) continue;
      if (!ValidPluginName(name)) {
        diags->Warning({}, "",
                       "ignoring plugin folder '" + entry.string() +
                           "': a plugin name uses only lower-case letters, digits and '_'");
        continue;
      }
      PluginInfo info;
      info.name = name;
      info.dir = fs::absolute(entry).lexically_normal().string();
      info.provider_file = info.dir + "/provider.lua";
      info.display_root = BaseName(dir);
      found[name] = std::move(info);
    }
  }
  std::vector<PluginInfo> out;
  for (auto& [name, info] : found) out.push_back(std::move(info));
  return out;
}

Result<std::unique_ptr<provider::Provider>> LoadPlugin(const PluginInfo& info,
                                                       const HostOptions& options) {
  auto loaded = LuaProvider::Load(info, options);
  if (!loaded.ok()) return loaded.status();
  return std::unique_ptr<provider::Provider>(std::move(*loaded));
}

}  // namespace cairn::lua
