// cairn completion bash|zsh: a shell completion script generated from the command table, so
// that it always knows every sub-command and flag this binary has.
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/cli/commands.h"

namespace cairn::cli {
namespace {

/// What can follow one command path ("", "plan", "state list").
struct CompletionNode {
  std::string path;
  bool leaf = false;               // no sub-commands: positional arguments may follow
  std::vector<std::string> words;  // sub-commands and flags
};

std::vector<std::string> FlagNames(const CLI::App* app, std::set<std::string>* takes_value) {
  std::vector<std::string> out;
  for (const CLI::Option* opt : app->get_options()) {
    if (!opt->nonpositional()) continue;
    std::vector<std::string> names;
    for (const std::string& s : opt->get_snames()) names.push_back("-" + s);
    for (const std::string& l : opt->get_lnames()) names.push_back("--" + l);
    for (const std::string& n : names) {
      out.push_back(n);
      if (opt->get_type_size_max() > 0 && n != "--version") takes_value->insert(n);
    }
  }
  return out;
}

// Children first, so that a shell `case` tries the longest path before its prefix.
void Collect(const CLI::App* app, const std::string& path, std::vector<CompletionNode>* out,
             std::set<std::string>* takes_value) {
  CompletionNode node;
  node.path = path;
  std::vector<const CLI::App*> subs = app->get_subcommands([](const CLI::App*) { return true; });
  for (const CLI::App* sub : subs) {
    Collect(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out, takes_value);
    node.words.push_back(sub->get_name());
  }
  node.leaf = subs.empty();
  for (std::string& f : FlagNames(app, takes_value)) node.words.push_back(std::move(f));
  out->push_back(std::move(node));
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string CasePattern(const CompletionNode& n) {
  if (n.path.empty()) return "\"\"";
  return n.leaf ? "\"" + n.path + "\"|\"" + n.path + " \"*" : "\"" + n.path + "\"";
}

// The shared scan: which command path the words before the cursor name, skipping flag values.
std::string ScanLoop(const std::string& first, const std::string& word,
                     const std::set<std::string>& takes_value) {
  std::vector<std::string> v(takes_value.begin(), takes_value.end());
  return "  local cmdpath=\"\" skip=0 i w\n"
         "  for ((i = " +
         first + "; i < " + (first == "1" ? "COMP_CWORD" : "CURRENT") +
         "; i++)); do\n"
         "    w=" +
         word +
         "\n"
         "    if ((skip)); then skip=0; continue; fi\n"
         "    case \"$w\" in\n"
         "      " +
         Join(v, "|") +
         ") skip=1 ;;\n"
         "      -*) ;;\n"
         "      *) [[ \",$known_paths,\" == *\",${cmdpath:+$cmdpath }$w,\"* ]] && "
         "cmdpath=\"${cmdpath:+$cmdpath }$w\" ;;\n"
         "    esac\n"
         "  done\n";
}

// Known command paths, comma-separated, so that the scan stops at positional arguments.
std::string KnownPaths(const std::vector<CompletionNode>& nodes) {
  std::vector<std::string> paths;
  for (const CompletionNode& n : nodes)
    if (!n.path.empty()) paths.push_back(n.path);
  return Join(paths, ",");
}

void PrintBash(const std::vector<CompletionNode>& nodes, const std::set<std::string>& takes_value) {
  std::vector<std::string> v(takes_value.begin(), takes_value.end());
  std::cout << "# bash completion for cairn. Load it with:\n"
               "#   source <(cairn completion bash)\n"
               "_cairn() {\n"
               "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
               "  local known_paths=\""
            << KnownPaths(nodes) << "\"\n"
            << ScanLoop("1", "\"${COMP_WORDS[i]}\"", takes_value)
            << "  case \"$prev\" in\n"
               "    "
            << Join(v, "|")
            << ")\n"
               "      COMPREPLY=($(compgen -f -- \"$cur\"))\n"
               "      return ;;\n"
               "  esac\n"
               "  local words=\"\"\n"
               "  case \"$cmdpath\" in\n";
  for (const CompletionNode& n : nodes)
    std::cout << "    " << CasePattern(n) << ") words=\"" << Join(n.words, " ") << "\" ;;\n";
  std::cout << "  esac\n"
               "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
               "}\n"
               "complete -o default -F _cairn cairn\n";
}

void PrintZsh(const std::vector<CompletionNode>& nodes, const std::set<std::string>& takes_value) {
  std::vector<std::string> v(takes_value.begin(), takes_value.end());
  std::cout << "#compdef cairn\n"
               "# zsh completion for cairn. Save it as _cairn in a folder on $fpath, or load it "
               "with:\n"
               "#   source <(cairn completion zsh)\n"
               "_cairn() {\n"
               "  local known_paths=\""
            << KnownPaths(nodes) << "\"\n"
            << ScanLoop("2", "\"${words[i]}\"", takes_value)
            << "  case \"${words[CURRENT-1]}\" in\n"
               "    "
            << Join(v, "|")
            << ")\n"
               "      _files\n"
               "      return ;;\n"
               "  esac\n"
               "  local -a candidates\n"
               "  case \"$cmdpath\" in\n";
  for (const CompletionNode& n : nodes)
    std::cout << "    " << CasePattern(n) << ") candidates=(" << Join(n.words, " ") << ") ;;\n";
  std::cout << "  esac\n"
               "  compadd -- \"${candidates[@]}\"\n"
               "  _files\n"
               "}\n"
               "if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n"
               "  _cairn \"$@\"\n"
               "else\n"
               "  compdef _cairn cairn\n"
               "fi\n";
}

}  // namespace

void AddCompletionCommand(CLI::App& root, std::vector<Command>* out) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd = root.add_subcommand("completion", "Print a shell completion script");
  cmd->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  cmd->footer(
      "Examples:\n"
      "  source <(cairn completion bash)\n"
      "  cairn completion bash > /etc/bash_completion.d/cairn\n"
      "  cairn completion zsh > \"${fpath[1]}/_cairn\"\n\n"
      "Exit codes: 0 success, 1 unknown shell.");
  CLI::App* app = &root;
  out->push_back({cmd, [shell, app](Session&) {
                    std::vector<CompletionNode> nodes;
                    std::set<std::string> takes_value;
                    Collect(app, "", &nodes, &takes_value);
                    if (*shell == "bash")
                      PrintBash(nodes, takes_value);
                    else
                      PrintZsh(nodes, takes_value);
                    return int{kExitOk};
                  }});
}

}  // namespace cairn::cli
