// The cairn commands. Each cmd_<verb>.cc adds its sub-command (flags, help, examples) to the
// root parser and says how to run it; main.cc only lists them.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/cli/options.h"
#include "engine/cli/session.h"
#include "engine/plan/plan.h"
#include "engine/plan/plan_file.h"
#include "engine/state/state.h"

namespace cairn::cli {

/// A registered sub-command: run it when `app` was the one parsed.
struct Command {
  CLI::App* app;
  std::function<int(Session&)> run;
};

/// Adds one sub-command to `root`; called once per command before parsing.
using AddCommandFn = void (*)(CLI::App& root, std::vector<Command>* out);

void AddValidateCommand(CLI::App& root, std::vector<Command>* out);
void AddPlanCommand(CLI::App& root, std::vector<Command>* out);
void AddApplyCommand(CLI::App& root, std::vector<Command>* out);
void AddDestroyCommand(CLI::App& root, std::vector<Command>* out);
void AddShowCommand(CLI::App& root, std::vector<Command>* out);
void AddImportCommand(CLI::App& root, std::vector<Command>* out);
void AddStateCommand(CLI::App& root, std::vector<Command>* out);
/// state migrate and state rekey, under the `state` command.
void AddStateMoveCommands(CLI::App* state, std::vector<Command>* out);
void AddForceUnlockCommand(CLI::App& root, std::vector<Command>* out);
void AddGraphCommand(CLI::App& root, std::vector<Command>* out);
void AddProvidersCommand(CLI::App& root, std::vector<Command>* out);
void AddCompletionCommand(CLI::App& root, std::vector<Command>* out);
void AddHistoryCommand(CLI::App& root, std::vector<Command>* out);
void AddDiffCommand(CLI::App& root, std::vector<Command>* out);
void AddWatchCommand(CLI::App& root, std::vector<Command>* out);

/// Adds the flags plan, apply and destroy share.
void AddRunFlags(CLI::App* cmd, RunOptions* o, bool approve);
/// Adds --require-signed, --allowed-signers and --gpg-keyring.
void AddSignatureFlags(CLI::App* cmd, GitOptions* g);

/// Loads providers and desired resources, then plans against `current`.
/// Returns false after printing diagnostics.
bool BuildPlan(Session& s, const RunOptions& o, bool destroy, const state::State& current,
               plan::Plan* out);

/// The plan as shown to a reviewer (RenderPlan, or the drift only for --refresh-only).
std::string RenderPlanFor(const plan::Plan& p, const RunOptions& o, bool color);

/// What a plan made now would be computed from (state, blueprint, desired resources,
/// plugins); needs LoadProviders and Expand.
Result<plan::PlanFingerprint> CurrentFingerprint(Session& s, const state::State& current);

/// Rejects flag combinations apply cannot honour (e.g. --json without --auto-approve).
bool CheckApplyOptions(Session& s, const RunOptions& o);

/// Reads o.plan_file and checks it against the current state, blueprint and plugins; false
/// (after reporting what changed) when it is stale or unreadable.
bool LoadSavedPlan(Session& s, const RunOptions& o, const state::State& current, plan::Plan* out);

/// apply, or destroy when `destroy` is set.
int RunApply(Session& s, const RunOptions& o, bool destroy);

}  // namespace cairn::cli
