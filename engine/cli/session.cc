#include "engine/cli/session.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string_view>

#include <unistd.h>

#include "engine/base/term.h"
#include "engine/cli/state_config.h"
#include "engine/expand/expand.h"
#include "engine/lua/modules/modules.h"
#include "engine/lua/plugin_loader.h"
#include "engine/state/open_backend.h"

namespace cairn::cli {
namespace fs = std::filesystem;
namespace {

// Top-level sections that only the engine reads; any other section may be expanded by a plugin.
constexpr std::array<std::string_view, 5> kEngineSections = {"resources", "providers", "secrets",
                                                             "state", "plugins"};

// The names of the plugins a blueprint uses through its resource types and providers: settings,
// or nothing when every plugin must load: a section some plugin's expand may read is present,
// or a name matches no plugin found (so that its error and did-you-mean hint stay the same).
std::optional<std::set<std::string>> PluginsNamedBy(const Value& root,
                                                    const std::vector<lua::PluginInfo>& found) {
  if (!root.is_map()) return std::nullopt;
  std::set<std::string> names;
  for (const auto& [section, value] : root.AsMap()) {
    if (std::find(kEngineSections.begin(), kEngineSections.end(), section) == kEngineSections.end())
      return std::nullopt;
    if (section != "resources" && section != "providers") continue;
    if (!value.is_map()) return std::nullopt;
    for (const auto& [key, unused] : value.AsMap()) {
      size_t dot = key.find('.');
      names.insert(section == "providers" ? key : key.substr(0, dot));
    }
  }
  for (const std::string& name : names) {
    auto is_name = [&name](const lua::PluginInfo& info) { return info.name == name; };
    if (std::none_of(found.begin(), found.end(), is_name)) return std::nullopt;
  }
  return names;
}

}  // namespace

Session::Session(GlobalOptions opts)
    : opts_(std::move(opts)),
      color_out_(!opts_.no_color && ColorWanted(stdout)),
      color_err_(!opts_.no_color && ColorWanted(stderr)) {}

void Session::Close() {
  if (opening_git_.valid()) opening_git_.wait();
  if (expanding_.valid()) expanding_.wait();
  if (configured_signal_.valid()) configured_signal_.wait();
  if (preparing_http_.valid()) preparing_http_.wait();
  backend_.reset();
  git_.reset();
}

void Session::RememberFirstError() {
  if (!first_error_.empty()) return;
  for (const Diagnostic& d : diags_.items()) {
    if (d.severity != Severity::kError) continue;
    if (d.loc.valid()) first_error_ = SourceFiles::Format(d.loc) + ": ";
    if (!d.path.empty()) first_error_ += d.path + ": ";
    first_error_ += d.summary;
    return;
  }
}

void Session::FlushDiagnostics() {
  // What the state backend noticed (a recovered journal, a lock taken over) is shown too.
  if (backend_ != nullptr) diags_.Append(backend_->TakeWarnings());
  if (diags_.empty()) return;
  RememberFirstError();
  if (json_) {
    for (const Diagnostic& d : diags_.items()) json_diags_.push_back(d);
    diags_ = Diagnostics();
    return;
  }
  std::cerr << RenderDiagnostics(diags_, color_err_);
  size_t errors = diags_.error_count();
  if (errors > 0) std::cerr << errors << (errors == 1 ? " error" : " errors") << " found.\n";
  diags_ = Diagnostics();
}

std::vector<Diagnostic> Session::TakeJsonDiagnostics() {
  for (const Diagnostic& d : diags_.items()) json_diags_.push_back(d);
  diags_ = Diagnostics();
  return std::move(json_diags_);
}

bool Session::LoadBlueprint(bool resolve_secrets) {
  // While OpenGit's spare thread runs there is no rev: the blueprint is the work tree's.
  if (!opening_git_.valid() && git_ != nullptr && git_->from_tree) {
    if (!LoadBlueprintFromCommit(opts_.file, *git_, &blueprint_, &diags_)) return false;
  } else if (!fs::exists(opts_.file)) {
    Diagnostic d;
    d.summary = "blueprint file '" + opts_.file + "' not found";
    d.hint =
        opts_.file == "blueprint.yaml"
            ? "run cairn in the folder that holds blueprint.yaml, or name the file with -f PATH"
            : "check the path given with -f";
    diags_.Add(std::move(d));
    return false;
  } else if (!blueprint::LoadFile(opts_.file, &blueprint_, &diags_)) {
    return false;
  }
  if (!FinishOpeningGit()) return false;
  if (git_ != nullptr && !ScanGitChanges()) return false;
  blueprint::Validate(blueprint_, &diags_);
  if (diags_.has_errors()) return false;
  if (!resolve_secrets) {
    secrets_ = Value::EmptyMap();
    if (const Value* declared = blueprint_.root.Find("secrets"); declared && declared->is_map()) {
      for (const auto& [name, ref] : declared->AsMap()) {
        Value unknown = Value::Unknown("secrets." + name);
        unknown.sensitive = true;
        secrets_[name] = unknown;
      }
    }
    return true;
  }
  secrets_ = blueprint::ResolveSecrets(blueprint_, &diags_);
  return !diags_.has_errors();
}

std::string BuiltinPluginDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path installed = exe.parent_path().parent_path() / "share" / "cairn" / "plugins";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
  return CAIRN_PLUGIN_DIR;
}

std::vector<std::string> Session::BlueprintPluginDirs() const {
  std::vector<std::string> dirs;
  if (const Value* extra = blueprint_.root.Find("plugins"); extra && extra->is_list()) {
    for (const Value& dir : extra->AsList()) {
      if (!dir.is_string()) continue;
      fs::path p(dir.AsString());
      dirs.push_back((p.is_absolute() ? p : fs::path(blueprint_.dir) / p).string());
    }
  }
  return dirs;
}

std::vector<std::string> Session::PluginSearchDirs() {
  std::vector<std::string> dirs = {BuiltinPluginDir()};
  for (const std::string& abs : BlueprintPluginDirs())
    dirs.push_back(git() != nullptr ? CommitPluginDir(*git_, abs, &diags_) : abs);
  for (const std::string& d : opts_.plugin_dirs) dirs.push_back(fs::absolute(d).string());
  return dirs;
}

bool Session::LoadProviders(PluginSet which) {
  WaitConfigured();
  if (!configured_) {
    if (!LoadPlugins(which)) return false;
    expand::ConfigureProviders(blueprint_, providers_, &diags_, secrets_);
    configured_ = true;
  }
  return !diags_.has_errors();
}

bool Session::LoadPlugins(PluginSet which) {
  FinishExpanding();
  if (!providers_.all().empty()) return !diags_.has_errors();
  LoadPluginsFrom(PluginSearchDirs(), which, &diags_);
  return !diags_.has_errors();
}

void Session::StartExpanding() {
  if (expanding_.valid() || !providers_.all().empty()) return;
  std::vector<std::string> dirs = PluginSearchDirs();  // here: it may read from git
  // Shared: the pool runs copyable functions, and a promise cannot be copied.
  auto configured = std::make_shared<std::promise<void>>();
  configured_signal_ = configured->get_future();
  expanding_ = AsyncTask::Start([this, dirs = std::move(dirs), configured] {
    {
      // Whatever happens here, the providers' set-up is over for those who wait on it.
      struct Signal {
        std::promise<void>& p;
        ~Signal() { p.set_value(); }
      } signal{*configured};
      // The plugins of providers that only the state names come later (LoadProvidersFor).
      LoadPluginsFrom(dirs, PluginSet::kNamedByBlueprint, &configure_diags_);
      // A plugin that opened host.http will send requests (refresh comes next): loading libcurl
      // and its libraries (~8 ms) starts now on a spare thread instead of at the first request.
      if (lua::HttpModuleOpened()) preparing_http_ = AsyncTask::Start(lua::PrepareHttp);
      if (configure_diags_.has_errors()) return;
      expand::ConfigureProviders(blueprint_, providers_, &configure_diags_, secrets_);
      configured_ = true;
      if (configure_diags_.has_errors()) return;
    }
    // From here on the providers are only read: a refresh may run beside the expansion.
    desired_ = expand::Expand(blueprint_, secrets_, providers_, &background_diags_);
    expanded_ = true;
  });
}

void Session::WaitConfigured() {
  if (!configured_signal_.valid()) return;
  configured_signal_.get();
  diags_.Append(configure_diags_);
  configure_diags_ = Diagnostics();
}

void Session::FinishExpanding() {
  WaitConfigured();
  if (!expanding_.valid()) return;
  expanding_.get();
  diags_.Append(background_diags_);
  background_diags_ = Diagnostics();
}

lua::HostOptions Session::PluginHost() const {
  lua::HostOptions host;
  host.lib_dir = BuiltinPluginDir() + "/lib";
  host.blueprint_dir = blueprint_.dir.empty() ? fs::current_path().string() : blueprint_.dir;
  bool debug = opts_.debug;
  host.log_sink = [debug](lua::LogLevel level, const std::string& line) {
    if (level == lua::LogLevel::kDebug && !debug) return;
    std::cerr << line << "\n";
  };
  return host;
}

void Session::LoadPluginsFrom(const std::vector<std::string>& dirs, PluginSet which,
                              Diagnostics* diags) {
  const lua::HostOptions host = PluginHost();
  std::vector<lua::PluginInfo> found = lua::DiscoverPlugins(dirs, diags);
  discovered_ = found;
  std::optional<std::set<std::string>> named;
  if (which == PluginSet::kNamedByBlueprint) named = PluginsNamedBy(blueprint_.root, found);
  for (const lua::PluginInfo& info : found) {
    if (named && !named->count(info.name)) continue;
    Result<std::unique_ptr<provider::Provider>> p = lua::LoadPlugin(info, host);
    if (!p.ok()) {
      diags->AddStatus(p.status());
      continue;
    }
    providers_.Add(std::move(*p));
  }
}

bool Session::Expand() {
  FinishExpanding();
  if (!expanded_) {
    desired_ = expand::Expand(blueprint_, secrets_, providers_, &diags_);
    expanded_ = true;
  }
  return !diags_.has_errors();
}

bool Session::LoadProvidersFor(const state::State& state) {
  WaitConfigured();  // the expansion may go on: it only reads the providers
  std::set<std::string> missing;
  for (const auto& [address, r] : state.resources)
    if (providers_.Find(r.provider) == nullptr) missing.insert(r.provider);
  if (missing.empty()) return !diags_.has_errors();
  FinishExpanding();  // adding providers must not race with the expansion reading them
  const lua::HostOptions host = PluginHost();
  std::set<std::string> loaded;
  for (const lua::PluginInfo& info : discovered_) {
    if (missing.count(info.name) == 0 || providers_.Find(info.name) != nullptr) continue;
    Result<std::unique_ptr<provider::Provider>> p = lua::LoadPlugin(info, host);
    if (!p.ok()) {
      diags_.AddStatus(p.status());
      continue;
    }
    providers_.Add(std::move(*p));
    loaded.insert(info.name);
  }
  // A provider no plugin provides is reported by refresh, naming the resources it holds.
  // Configuring also lends the blueprint (ctx.blueprint).
  expand::ConfigureProviders(blueprint_, providers_, &diags_, secrets_, &loaded);
  return !diags_.has_errors();
}

std::string Session::StateDir() const {
  std::string dir = opts_.state_dir;
  if (dir.empty() && blueprint_.dir.empty())
    dir = (fs::absolute(opts_.file).parent_path() / ".cairn").string();
  if (dir.empty()) dir = (fs::path(blueprint_.dir) / ".cairn").string();
  return dir;
}

bool Session::ResolveState(state::BackendConfig* out) {
  // The state commands run without loading the blueprint; its state: section applies anyway.
  blueprint::Blueprint parsed;
  const blueprint::Blueprint* bp = &blueprint_;
  if (blueprint_.path.empty() && fs::exists(opts_.file)) {
    if (!blueprint::LoadFile(opts_.file, &parsed, &diags_)) return false;
    bp = &parsed;
  }
  std::string dir = opts_.state_dir;
  if (dir.empty() && bp->dir.empty())
    dir = (fs::absolute(opts_.file).parent_path() / ".cairn").string();
  if (dir.empty()) dir = (fs::path(bp->dir) / ".cairn").string();
  if (!ResolveStateConfig(*bp, opts_.state, dir, out, &diags_)) return false;
  // A flag naming one backend's location selects that backend (unless --state-backend says).
  if (opts_.state.backend.empty()) {
    if (!opts_.state_dir.empty()) out->backend = "local";
    if (!opts_.state.endpoints.empty()) out->backend = "etcd";
  }
  if (!opts_.state_dir.empty()) out->dir = opts_.state_dir;
  return true;
}

void Session::PrefetchState() {
  if (prefetch_ != nullptr || backend_ != nullptr) return;
  if (!opts_.state.backend.empty() && opts_.state.backend != "local") return;
  if (!opts_.state.endpoints.empty()) return;
  std::string dir = opts_.state_dir;
  if (dir.empty()) {
    std::error_code ec;
    fs::path abs = fs::absolute(fs::path(opts_.file), ec);
    if (ec) return;
    dir = (abs.lexically_normal().parent_path() / ".cairn").string();
  }
  prefetch_ = state::StatePrefetch::Start(dir + "/state.json");
}

bool Session::OpenBackend() {
  if (backend_ != nullptr) return true;
  state::BackendConfig config;
  if (!ResolveState(&config)) return false;
  config.prefetch = std::move(prefetch_);
  Result<std::unique_ptr<state::Backend>> b = state::OpenBackend(config);
  if (!b.ok()) {
    diags_.AddStatus(b.status());
    return false;
  }
  backend_ = std::move(b).value();
  state_config_ = std::move(config);
  return true;
}

}  // namespace cairn::cli

namespace cairn::cli {

bool Session::OpenGit(const std::string& rev) {
  if (rev.empty()) {
    opening_git_ = AsyncTask::Start([this] {
      Result<std::unique_ptr<GitSource>> src = OpenGitSource(opts_.file, "");
      if (src.ok()) {
        git_ = std::move(*src);
      } else {
        opening_git_error_ = src.status();
      }
    });
    return true;
  }
  Result<std::unique_ptr<GitSource>> src = OpenGitSource(opts_.file, rev);
  if (!src.ok()) {
    diags_.AddStatus(src.status());
    return false;
  }
  git_ = std::move(*src);
  return true;
}

bool Session::FinishOpeningGit() {
  if (!opening_git_.valid()) return true;
  opening_git_.get();
  if (opening_git_error_.ok()) return true;
  diags_.AddStatus(opening_git_error_);
  return false;
}

GitSource* Session::git() {
  FinishOpeningGit();
  return git_.get();
}

bool Session::ScanGitChanges() {
  // What the run reads from the work tree: the blueprint's folder and its plugin folders.
  std::vector<std::string> dirs = BlueprintPluginDirs();
  dirs.push_back(blueprint_.dir);
  Status st = git_->ScanChanges(dirs, StateDir());
  if (!st.ok()) diags_.AddStatus(st);
  return st.ok();
}

}  // namespace cairn::cli
