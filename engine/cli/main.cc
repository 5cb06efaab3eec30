// cairn: plan and apply a blueprint through provider plugins.
#include <iostream>

#include <CLI/CLI.hpp>

#include "engine/cli/commands.h"

namespace {

using cairn::cli::GlobalOptions;
using cairn::cli::RunOptions;
using cairn::cli::Session;

void AddRunFlags(CLI::App* cmd, RunOptions* o, bool approve) {
  cmd->add_option("--parallelism", o->parallelism, "Provider calls in flight at once")
      ->default_val(10)
      ->check(CLI::Range(1, 256));
  if (approve) cmd->add_flag("--auto-approve", o->auto_approve, "Do not ask for confirmation");
  cmd->add_flag("--no-refresh", o->no_refresh, "Trust the state; do not read live objects");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cairn: plans and applies a blueprint of your infrastructure.", "cairn"};
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "Examples:\n"
      "  cairn validate -f blueprints/homelab.yaml\n"
      "  cairn plan\n"
      "  cairn apply --auto-approve\n"
      "  cairn show\n\n"
      "Run 'cairn COMMAND --help' for a command's flags.");
  app.set_version_flag("--version", std::string("cairn ") + CAIRN_VERSION);

  GlobalOptions g;
  app.add_option("-f,--file", g.file, "Blueprint file")->default_val("blueprint.yaml");
  app.add_option("--state-dir", g.state_dir,
                 "State directory (default: .cairn beside the blueprint)");
  app.add_option("--plugin-dir", g.plugin_dirs, "Extra plugin directory (repeatable)");
  app.add_flag("--no-color", g.no_color, "No colours (NO_COLOR is honoured too)");
  app.add_flag("--debug", g.debug, "Show debug logs and plugin tracebacks");

  RunOptions run;
  auto* validate = app.add_subcommand("validate", "Check the blueprint and report every problem");
  validate->footer("Example:\n  cairn validate -f blueprints/homelab.yaml");
  auto* plan = app.add_subcommand("plan", "Show what apply would change");
  AddRunFlags(plan, &run, false);
  plan->add_flag("--detailed-exitcode", run.detailed_exitcode,
                 "Exit 0 for no changes, 2 when changes are present, 1 on error");
  plan->footer("Examples:\n  cairn plan\n  cairn plan -f site.yaml --detailed-exitcode");
  auto* apply = app.add_subcommand("apply", "Make live systems match the blueprint");
  AddRunFlags(apply, &run, true);
  apply->footer("Examples:\n  cairn apply\n  cairn apply --auto-approve --parallelism 20");
  auto* destroy = app.add_subcommand("destroy", "Delete everything in the state");
  AddRunFlags(destroy, &run, true);
  destroy->footer("Example:\n  cairn destroy --auto-approve");
  auto* show = app.add_subcommand("show", "Print the state in human form");
  show->footer("Example:\n  cairn show");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  Session session(g);
  if (validate->parsed()) return cairn::cli::RunValidate(session);
  if (plan->parsed()) return cairn::cli::RunPlan(session, run);
  if (apply->parsed()) return cairn::cli::RunApply(session, run, false);
  if (destroy->parsed()) return cairn::cli::RunApply(session, run, true);
  if (show->parsed()) return cairn::cli::RunShow(session);
  return cairn::cli::kExitError;
}
