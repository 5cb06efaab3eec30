// cairn: plan and apply a blueprint through provider plugins.
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "engine/cli/commands.h"
#include "engine/cli/state_config.h"

namespace {

// Every sub-command, in the order `cairn --help` lists them.
const cairn::cli::AddCommandFn kCommands[] = {
    cairn::cli::AddValidateCommand, cairn::cli::AddPlanCommand,
    cairn::cli::AddApplyCommand,    cairn::cli::AddDestroyCommand,
    cairn::cli::AddShowCommand,     cairn::cli::AddImportCommand,
    cairn::cli::AddStateCommand,    cairn::cli::AddForceUnlockCommand,
    cairn::cli::AddGraphCommand,    cairn::cli::AddProvidersCommand,
    cairn::cli::AddHistoryCommand,  cairn::cli::AddDiffCommand,
    cairn::cli::AddWatchCommand,    cairn::cli::AddCompletionCommand,
};

// Terraform users type `plan -out FILE`; CLI11 reads only one-letter options after one dash, so
// "-out" and "-out=FILE" are rewritten to their "--out" spelling before parsing.
void AcceptTerraformOutFlag(int argc, char** argv) {
  static std::deque<std::string> rewritten;  // argv points into it until exit
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "-out" || arg.rfind("-out=", 0) == 0) {
      rewritten.push_back("-" + std::string(arg));
      argv[i] = rewritten.back().data();
    }
  }
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
      "  cairn plan -out site.plan && cairn apply site.plan\n"
      "  cairn show\n"
      "  cairn state list\n"
      "  source <(cairn completion bash)\n\n"
      "Run 'cairn COMMAND --help' for a command's flags.");
  app.set_version_flag("--version", std::string("cairn ") + CAIRN_VERSION);

  cairn::cli::GlobalOptions g;
  app.add_option("-f,--file", g.file, "Blueprint file")->default_val("blueprint.yaml");
  app.add_option("--state-dir", g.state_dir,
                 "State directory (default: .cairn beside the blueprint)");
  app.add_option("--plugin-dir", g.plugin_dirs, "Extra plugin directory (repeatable)");
  app.add_flag("--no-color", g.no_color, "No colours (NO_COLOR is honoured too)");
  app.add_flag("--debug", g.debug, "Show debug logs and plugin tracebacks");
  cairn::cli::AddStateFlags(app, &g.state);

  std::vector<cairn::cli::Command> commands;
  for (cairn::cli::AddCommandFn add : kCommands) add(app, &commands);

  AcceptTerraformOutFlag(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  int code = cairn::cli::kExitError;
  auto* session = new cairn::cli::Session(g);
  for (const cairn::cli::Command& c : commands)
    if (c.app->parsed()) {
      code = c.run(*session);
      break;
    }
  // Freeing what a run built (Lua VMs, the blueprint, thousands of resources) costs more than
  // the run's own diff; the kernel takes it back at once. So only what lives outside the
  // process is released (state lock, git checkout), the output flushed, and the session left.
  session->Close();
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}
