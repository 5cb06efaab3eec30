// Session: the stages of one cairn invocation, wired in order (blueprint -> providers -> desired
// resources -> state), each step reporting into one Diagnostics list.
#pragma once

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/async_task.h"
#include "engine/base/diag.h"
#include "engine/blueprint/blueprint.h"
#include "engine/cli/git_source.h"
#include "engine/cli/options.h"
#include "engine/lua/plugin_loader.h"
#include "engine/provider/provider.h"
#include "engine/state/backend.h"
#include "engine/state/open_backend.h"

namespace cairn::cli {

/// Everything one command needs, loaded step by step; each Load* returns false after reporting.
class Session {
 public:
  explicit Session(GlobalOptions opts);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Moves `value` into the session and returns where it now lives. A command keeps what it
  /// built for the whole run (the state, the plan) here, so that it is not freed when the
  /// command returns: main leaves the session to the process's exit (see Close).
  template <typename T>
  T& Keep(T value) {
    auto kept = std::make_shared<T>(std::move(value));
    kept_.push_back(kept);
    return *kept;
  }

  /// Ends the run's ties outside the process: waits for StartExpanding's thread, closes the
  /// state backend (its lock, its etcd lease) and the git checkout. What stays in memory (the
  /// blueprint, the Lua VMs, the expansion) is left to the process's exit.
  void Close();

  /// Reads and validates the blueprint. With `resolve_secrets`, reads every secret's value
  /// (a missing one is an error); without, secrets stand for values not known yet, which is
  /// enough to check the blueprint's shape (cairn validate needs no credentials).
  bool LoadBlueprint(bool resolve_secrets = true);
  /// Which plugins LoadProviders loads.
  enum class PluginSet {
    kAll,
    /// For commands that read no state (validate, diff): only the plugins the blueprint names by
    /// its resource types and `providers:` settings, unless it has a section that some plugin's
    /// expand may read (apps, dns, ...) or a name no plugin matches; then every plugin.
    kNamedByBlueprint,
  };
  /// Finds and loads the plugins, then configures them from the blueprint.
  bool LoadProviders(PluginSet which = PluginSet::kAll);
  /// Finds and loads the plugins without configuring them (works without a blueprint: then
  /// only the built-in folder and --plugin-dir are searched).
  bool LoadPlugins(PluginSet which = PluginSet::kAll);
  /// Starts LoadProviders and Expand on another thread, so that compiling the plugins and
  /// expanding the blueprint overlap opening, locking and reading the state; LoadPlugins and
  /// Expand then wait for it and report what it found, LoadProviders only for the providers'
  /// set-up (a refresh can run while the blueprint is still being expanded). Call after OpenGit
  /// and LoadBlueprint (the plugin folders come from them); until one of those three returns,
  /// nothing may use the providers or the desired resources.
  void StartExpanding();
  /// Expands the blueprint into desired resources (needs LoadBlueprint and LoadProviders).
  bool Expand();
  /// Loads and configures the plugins of providers that `state` records resources of but that
  /// are not loaded yet: StartExpanding loads only the plugins the blueprint names, and a
  /// provider whose resources left the blueprint is still needed to read and delete them.
  bool LoadProvidersFor(const state::State& state);
  /// Starts reading and parsing the local state file where it most likely is (the --state-dir,
  /// else .cairn beside the -f path) on another thread, before the blueprint that says where it
  /// is has been loaded; OpenBackend hands it to the local backend, which uses it only if it is
  /// the same file with the same content.
  void PrefetchState();
  /// Opens the state backend (local directory unless the blueprint says otherwise). Without a
  /// loaded blueprint the default directory is .cairn beside the -f path.
  bool OpenBackend();
  /// The backend configuration (blueprint `state:` section and flags) without opening it.
  bool ResolveState(state::BackendConfig* out);
  /// The configuration OpenBackend used.
  const state::BackendConfig& state_config() const { return state_config_; }

  /// Finds the git repository holding the blueprint and the commit this run is made from
  /// (`rev`, or HEAD); with a rev, LoadBlueprint and LoadPlugins read from that commit.
  /// Without a rev the blueprint comes from the work tree, so the repository is opened on a
  /// spare thread while LoadBlueprint reads the file (loading and starting libgit2 parses the
  /// system's CA bundle, more work than reading a blueprint of 1,000 resources); what that
  /// finds, errors included, comes with the first use (LoadBlueprint, git()).
  bool OpenGit(const std::string& rev);
  /// What OpenGit found; null before it, or outside a repository.
  GitSource* git();
  /// The state directory OpenBackend uses (before a blueprint is loaded: beside -f).
  std::string StateDir() const;

  /// Prints the diagnostics gathered so far to stderr, and forgets them. In JSON mode they are
  /// kept instead, for the command's JSON document (see TakeJsonDiagnostics).
  void FlushDiagnostics();
  /// JSON mode: stdout carries one JSON document and diagnostics go into it.
  void set_json(bool on) { json_ = on; }
  bool json() const { return json_; }
  /// The diagnostics flushed in JSON mode plus any not yet flushed; clears both.
  std::vector<Diagnostic> TakeJsonDiagnostics();
  /// The first error flushed so far, on one line ("file:line:col: summary"); "" when none.
  /// Unattended runs (cairn watch) report it as the reason a step failed.
  const std::string& first_error() const { return first_error_; }

  const GlobalOptions& options() const { return opts_; }
  bool color_out() const { return color_out_; }
  bool color_err() const { return color_err_; }
  Diagnostics& diags() { return diags_; }
  const blueprint::Blueprint& blueprint() const { return blueprint_; }
  provider::Registry& providers() { return providers_; }
  const std::vector<provider::DesiredResource>& desired() const { return desired_; }
  state::Backend& backend() { return *backend_; }

 private:
  std::vector<std::string> PluginSearchDirs();
  /// Discovers and loads the plugins of `dirs` into providers_, reporting into `diags`.
  void LoadPluginsFrom(const std::vector<std::string>& dirs, PluginSet which, Diagnostics* diags);
  /// What the plugins' host modules need (library folder, blueprint folder, log sink).
  lua::HostOptions PluginHost() const;
  /// The blueprint's `plugins:` folders, absolute, as on disk.
  std::vector<std::string> BlueprintPluginDirs() const;
  /// Lists the uncommitted files that this run would read (see GitSource::ScanChanges).
  bool ScanGitChanges();
  /// Keeps the first error diagnostic's text for first_error().
  void RememberFirstError();

  GlobalOptions opts_;
  bool json_ = false;
  std::vector<Diagnostic> json_diags_;
  std::string first_error_;
  bool color_out_;
  bool color_err_;
  Diagnostics diags_;
  blueprint::Blueprint blueprint_;
  Value secrets_;
  provider::Registry providers_;
  std::vector<provider::DesiredResource> desired_;
  std::unique_ptr<state::Backend> backend_;
  std::unique_ptr<GitSource> git_;
  state::BackendConfig state_config_;
  std::shared_ptr<state::StatePrefetch> prefetch_;  // see PrefetchState
  /// Waits for OpenGit's spare thread, if any; false (with its error in diags_) if it failed.
  bool FinishOpeningGit();
  /// Waits for StartExpanding's work, if any, and adds its diagnostics to diags_.
  void FinishExpanding();
  /// Waits until StartExpanding's thread has loaded and configured the providers (it may still
  /// be expanding), and adds what that reported to diags_.
  void WaitConfigured();

  std::vector<std::shared_ptr<void>> kept_;  // see Keep
  std::vector<lua::PluginInfo> discovered_;  // every plugin LoadPluginsFrom found
  bool configured_ = false;                  // providers configured from the blueprint
  bool expanded_ = false;                    // desired_ holds the expansion
  Diagnostics configure_diags_;          // what StartExpanding's thread reported loading providers
  Diagnostics background_diags_;         // what it reported expanding
  std::future<void> configured_signal_;  // set once that thread has configured the providers
  AsyncTask preparing_http_;             // lua::PrepareHttp on a spare thread (StartExpanding)
  Status opening_git_error_;             // why OpenGit's spare thread found no repository
  AsyncTask opening_git_;                // OpenGitSource on a spare thread; sets git_ (OpenGit)
  // Last, so that it is destroyed first: its destructor waits for the thread.
  AsyncTask expanding_;
};

/// The directory holding the built-in plugins (plugins/ beside the binary's share dir, or the
/// source tree the binary was built from).
std::string BuiltinPluginDir();

}  // namespace cairn::cli
