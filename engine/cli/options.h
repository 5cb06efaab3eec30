// Command-line options shared by every cairn command.
#pragma once

#include <string>
#include <vector>

namespace cairn::cli {

/// Flags that every command accepts.
struct GlobalOptions {
  std::string file = "blueprint.yaml";   // -f
  std::string state_dir;                 // --state-dir; default <blueprint dir>/.cairn
  std::vector<std::string> plugin_dirs;  // --plugin-dir (repeatable)
  bool no_color = false;                 // --no-color (NO_COLOR is honoured too)
  bool debug = false;                    // --debug: tracebacks and debug logs
};

/// Flags of plan, apply and destroy.
struct RunOptions {
  int parallelism = 10;
  bool auto_approve = false;
  bool no_refresh = false;
  bool detailed_exitcode = false;
  bool json = false;                 // --json: one JSON document on stdout (docs/json.md)
  std::vector<std::string> targets;  // --target (repeatable): a partial plan
  bool refresh_only = false;         // --refresh-only: only drift; apply records it
  std::string plan_out;              // plan -out FILE
  std::string plan_file;             // apply FILE: apply a saved plan
  int max_retries = 5;               // --max-retries: of a call that failed transiently
  std::string timeout = "10m";       // --timeout: per resource, unless its type sets one
};

/// Process exit codes.
enum ExitCode : int { kExitOk = 0, kExitError = 1, kExitChanges = 2, kExitInterrupted = 130 };

}  // namespace cairn::cli
