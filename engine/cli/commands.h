// The cairn commands. Each cmd_<verb>.cc adds its sub-command (flags, help, examples) to the
// root parser and says how to run it; main.cc only lists them.
#pragma once

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/cli/options.h"
#include "engine/cli/session.h"
#include "engine/plan/plan.h"
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

/// Adds the flags plan, apply and destroy share.
void AddRunFlags(CLI::App* cmd, RunOptions* o, bool approve);

/// Loads providers and desired resources, then plans against `current`.
/// Returns false after printing diagnostics.
bool BuildPlan(Session& s, const RunOptions& o, bool destroy, const state::State& current,
               plan::Plan* out);

/// apply, or destroy when `destroy` is set.
int RunApply(Session& s, const RunOptions& o, bool destroy);

}  // namespace cairn::cli
