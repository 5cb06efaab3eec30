// End-to-end: import, state list/show/rm/mv, force-unlock, graph, providers, completion and help
// through the cairn binary.
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/state/local_backend.h"
#include "tests/cli/cli_fixture.h"

namespace cairn::testing {
namespace {

class StateCommandsTest : public CliFixture {
 protected:
  uint64_t Serial() {
    return nlohmann::json::parse(Cairn({"show", "--json"}).out)["serial"].get<uint64_t>();
  }
};

TEST_F(StateCommandsTest, ImportAdoptsAnObjectThenPlanShowsOnlyTheDifference) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "resources:\n"
            "  local.file.a:\n"
            "    path: a.txt\n"
            "    content: wanted\n");
  WriteFile(dir_.Join("out/a.txt"), "found\n");

  CommandResult undeclared = Cairn({"import", "local.file.b", "a.txt"});
  EXPECT_EQ(undeclared.exit_code, 1);
  EXPECT_NE(undeclared.err.find("local.file.b is not declared in the blueprint"), std::string::npos)
      << undeclared.err;
  EXPECT_NE(undeclared.err.find("did you mean 'local.file.a'?"), std::string::npos);

  CommandResult missing = Cairn({"import", "local.file.a", "nope.txt"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("there is no file 'nope.txt'"), std::string::npos) << missing.err;

  CommandResult r = Cairn({"import", "local.file.a", "a.txt"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Import complete"), std::string::npos) << r.out;
  EXPECT_EQ(Serial(), 1u);
  EXPECT_TRUE(FileExists(dir_.Join(".cairn/state.json")));

  CommandResult plan = Cairn({"plan"});
  EXPECT_NE(plan.out.find("local.file.a will be updated in-place"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("Plan: 0 to add, 1 to change, 0 to destroy."), std::string::npos);

  CommandResult twice = Cairn({"import", "local.file.a", "a.txt"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("already managed"), std::string::npos) << twice.err;
}

TEST_F(StateCommandsTest, ImportOfATypeWithoutImportIsAClearError) {
  UseMemoPlugin("1.0.0");
  WriteFile(dir_.Join("blueprint.yaml"),
            "plugins: [plugins]\nresources:\n  memo.note.a:\n    text: hello\n");
  CommandResult r = Cairn({"import", "memo.note.a", "hello"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("resources of type memo.note cannot be imported"), std::string::npos)
      << r.err;
  EXPECT_FALSE(FileExists(dir_.Join(".cairn/state.json")));
}

TEST_F(StateCommandsTest, ListShowRmAndMvEditOnlyTheState) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "secrets:\n"
            "  token: env:CAIRN_TEST_TOKEN\n"
            "resources:\n"
            "  local.file.a:\n"
            "    path: a.txt\n"
            "    sensitive_content: \"token=${secrets.token}\"\n"
            "  local.file.b:\n"
            "    path: b.txt\n"
            "    content: bee\n"
            "    depends_on: [local.file.a]\n"
            "  local.directory.d:\n"
            "    path: d\n");
  std::vector<std::string> env = {"CAIRN_TEST_TOKEN=s3cr3t-value"};
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}, env).exit_code, 0);

  EXPECT_EQ(Cairn({"state", "list"}).out, "local.directory.d\nlocal.file.a\nlocal.file.b\n");
  EXPECT_EQ(Cairn({"state", "list", "local.file"}).out, "local.file.a\nlocal.file.b\n");
  CommandResult show = Cairn({"state", "show", "local.file.a"});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("(sensitive)"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find("s3cr3t"), std::string::npos) << show.out;
  CommandResult json = Cairn({"state", "show", "local.file.a", "--json"});
  EXPECT_EQ(json.out.find("s3cr3t"), std::string::npos) << json.out;
  CommandResult typo = Cairn({"state", "show", "local.file.c"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("local.file.c is not in the state"), std::string::npos) << typo.err;

  // rm: forgotten, not deleted; the next plan wants to create it again.
  CommandResult rm = Cairn({"state", "rm", "local.directory.d"});
  ASSERT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_NE(rm.out.find("State serial 1 -> 2"), std::string::npos) << rm.out;
  EXPECT_TRUE(std::filesystem::is_directory(dir_.Join("out/d")));
  EXPECT_NE(Cairn({"plan"}, env).out.find("local.directory.d will be created"), std::string::npos);
  EXPECT_FALSE(std::filesystem::is_empty(dir_.Join(".cairn/backups")));

  // mv after a rename in the blueprint: without it the plan would replace the file.
  Edit("  local.file.b:", "  local.file.bee:");
  CommandResult before = Cairn({"plan"}, env);
  EXPECT_NE(before.out.find("local.file.b will be destroyed"), std::string::npos) << before.out;
  CommandResult wrong_type = Cairn({"state", "mv", "local.file.b", "local.directory.bee"});
  EXPECT_EQ(wrong_type.exit_code, 1);
  EXPECT_NE(wrong_type.err.find("its type must stay local.file"), std::string::npos);
  CommandResult mv = Cairn({"state", "mv", "local.file.b", "local.file.bee"});
  ASSERT_EQ(mv.exit_code, 0) << mv.err;
  EXPECT_EQ(Serial(), 3u);
  CommandResult after = Cairn({"plan"}, env);
  EXPECT_EQ(after.out.find("local.file.b"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("Plan: 1 to add, 0 to change, 0 to destroy."), std::string::npos)
      << after.out;
}

TEST_F(StateCommandsTest, ForceUnlockRemovesALockLeftByADeadProcess) {
  WriteFile(dir_.Join("blueprint.yaml"), "resources: {}\n");
  std::string lock_id;
  {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // Takes the lock and dies without releasing it, as a killed apply would.
      state::LocalBackend b(dir_.Join(".cairn"));
      Result<state::LockInfo> l = b.Lock("apply");
      std::string id = l.ok() ? l->id : "";
      ssize_t n = write(fds[1], id.data(), id.size());
      _exit(n == static_cast<ssize_t>(id.size()) ? 0 : 1);
    }
    close(fds[1]);
    char buf[128];
    ssize_t n = read(fds[0], buf, sizeof buf);
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_GT(n, 0);
    lock_id.assign(buf, static_cast<size_t>(n));
  }
  CommandResult wrong = Cairn({"force-unlock", "not-the-id"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("does not match"), std::string::npos) << wrong.err;
  CommandResult ok = Cairn({"force-unlock", lock_id});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("was removed"), std::string::npos);
  EXPECT_EQ(Cairn({"force-unlock", lock_id}).exit_code, 1) << "nothing left to unlock";
}

TEST_F(StateCommandsTest, ARekeyThatStoppedInTheHistoryFinishesWhenRunAgain) {
  WriteFile(dir_.Join("blueprint.yaml"), "resources: {}\n");
  auto key = [](const std::string& secret) {
    state::KeySpec k;
    k.kind = state::KeySpec::Kind::kPassphrase;
    k.secret = secret;
    k.origin = "test";
    return std::shared_ptr<const state::StateCipher>(*state::StateCipher::Create(k));
  };
  // What a rekey leaves when it stops after saving: the state under the new key, the backups
  // still under the old one.
  state::LocalBackend b(dir_.Join(".cairn"));
  b.SetCipher(key("old passphrase"));
  state::State s = *b.Load();
  for (uint64_t serial = 1; serial <= 2; ++serial) {
    s.serial = serial;
    ASSERT_TRUE(b.Save(s).ok());
  }
  b.SetCipher(key("new passphrase"));
  s.serial = 3;
  ASSERT_TRUE(b.Save(s).ok());

  CommandResult r = Cairn({"--state-key-env", "K1", "state", "rekey", "--new-key-env", "K2"},
                          {"K1=old passphrase", "K2=new passphrase"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::shared_ptr<const state::StateCipher> next = key("new passphrase");
  for (uint64_t serial : {1, 2}) {
    std::string backup = ReadFile(b.backups_dir() + "/state." + std::to_string(serial) + ".json");
    EXPECT_TRUE(next->Open(backup, "backup").ok()) << "backup " << serial << " is not rekeyed";
  }
  CommandResult wrong = Cairn({"--state-key-env", "K1", "state", "rekey", "--new-key-env", "K2"},
                              {"K1=old passphrase", "K2=another passphrase"});
  EXPECT_EQ(wrong.exit_code, 1) << wrong.out;
  EXPECT_NE(wrong.err.find("wrong key"), std::string::npos) << wrong.err;
}

TEST_F(StateCommandsTest, GraphIsDotWithEdgesAndPlanColours) {
  UseQuickstart();
  CommandResult g = Cairn({"graph"});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(g.out.rfind("digraph cairn {", 0), 0u) << g.out;
  EXPECT_NE(g.out.find("\"local.file.motd\" -> \"local.directory.site\";"), std::string::npos);
  EXPECT_NE(g.out.find("\"local.file.checksums\" -> \"local.file.hosts\";"), std::string::npos)
      << "references are edges too";

  ASSERT_EQ(Cairn({"apply", "--auto-approve", "--target", "local.file.motd"}).exit_code, 0);
  Edit("path: site/motd.txt", "path: site/motd");
  CommandResult p = Cairn({"graph", "--plan"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("\"local.file.hosts\" [label = \"+ local.file.hosts\", style = "
                       "\"rounded,filled\", fillcolor = palegreen]"),
            std::string::npos)
      << p.out;
  EXPECT_NE(p.out.find("label = \"-/+ local.file.motd\""), std::string::npos) << p.out;
  EXPECT_NE(p.out.find("\"local.directory.site\" [label = \"local.directory.site\", style = "
                       "\"rounded,filled\", fillcolor = gray90]"),
            std::string::npos)
      << p.out;
}

TEST_F(StateCommandsTest, ProvidersListsTypesAndAttributeSchemas) {
  CommandResult r = Cairn({"providers"});  // no blueprint needed
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("local 1.0.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("local.file  (importable)"), std::string::npos) << r.out;
  nlohmann::json j = nlohmann::json::parse(Cairn({"providers", "--json"}).out);
  nlohmann::json local;
  for (const nlohmann::json& p : j["providers"])
    if (p["name"] == "local") local = p;
  ASSERT_TRUE(local.is_object()) << j.dump(1);
  EXPECT_NE(local["source"].get<std::string>().find("provider.lua"), std::string::npos);
  bool found = false;
  for (const nlohmann::json& t : local["resource_types"]) {
    if (t["name"] != "local.file") continue;
    for (const nlohmann::json& a : t["attributes"]) {
      if (a["name"] != "sensitive_content") continue;
      found = true;
      EXPECT_EQ(a["sensitive"], true);
      EXPECT_EQ(a["type"], "string");
      EXPECT_FALSE(a["description"].get<std::string>().empty());
    }
  }
  EXPECT_TRUE(found) << j.dump(1);
}

TEST_F(StateCommandsTest, CompletionScriptsParseAndKnowTheCommands) {
  CommandResult bash = Cairn({"completion", "bash"});
  ASSERT_EQ(bash.exit_code, 0) << bash.err;
  WriteFile(dir_.Join("cairn.bash"), bash.out);
  CommandResult check = RunCommand({"bash", "-n", dir_.Join("cairn.bash")});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  for (const char* word : {"force-unlock", "completion", "--refresh-only", "--target", "mv"})
    EXPECT_NE(bash.out.find(word), std::string::npos) << word;
  // Completing `cairn state <TAB>` offers the state sub-commands.
  CommandResult words = RunCommand(
      {"bash", "-c",
       "source " + dir_.Join("cairn.bash") +
           "; COMP_WORDS=(cairn state ''); COMP_CWORD=2; _cairn; echo \"${COMPREPLY[*]}\""});
  EXPECT_NE(words.out.find("list show rm mv"), std::string::npos) << words.out << words.err;

  CommandResult zsh = Cairn({"completion", "zsh"});
  ASSERT_EQ(zsh.exit_code, 0);
  EXPECT_EQ(zsh.out.rfind("#compdef cairn\n", 0), 0u);
  EXPECT_NE(zsh.out.find("import"), std::string::npos);
  EXPECT_NE(Cairn({"completion", "fish"}).exit_code, 0);
}

// bash sources the script and registers the completion function for cairn.
TEST_F(StateCommandsTest, BashCompletionRegistersForCairn) {
  CommandResult bash = Cairn({"completion", "bash"});
  ASSERT_EQ(bash.exit_code, 0) << bash.err;
  WriteFile(dir_.Join("cairn.bash"), bash.out);
  CommandResult registered =
      RunCommand({"bash", "-c", "source " + dir_.Join("cairn.bash") + " && complete -p cairn"});
  EXPECT_EQ(registered.exit_code, 0) << registered.err;
  EXPECT_NE(registered.out.find("-F _cairn cairn"), std::string::npos) << registered.out;
}

// zsh parses the script, compinit registers it both when sourced and when autoloaded from
// $fpath, and the function offers the sub-commands of `cairn state` and files after --out.
TEST_F(StateCommandsTest, ZshCompletionLoadsAndCompletes) {
  ASSERT_EQ(RunCommand({"sh", "-c", "command -v zsh"}).exit_code, 0)
      << "zsh is not installed: this test checks the zsh completion script (apt-get install zsh; "
         ".ci/install-deps.sh installs it)";
  CommandResult zsh = Cairn({"completion", "zsh"});
  ASSERT_EQ(zsh.exit_code, 0) << zsh.err;
  std::string fpath_dir = dir_.Join("zfunc");
  std::filesystem::create_directories(fpath_dir);
  std::string script = fpath_dir + "/_cairn";
  WriteFile(script, zsh.out);

  CommandResult syntax = RunCommand({"zsh", "-n", script});
  EXPECT_EQ(syntax.exit_code, 0) << syntax.err;

  const std::string compinit = "autoload -U compinit && compinit -u -D && ";
  CommandResult sourced = RunCommand(
      {"zsh", "-f", "-c", compinit + "source " + script + " && print -r -- ${_comps[cairn]}"});
  EXPECT_EQ(sourced.exit_code, 0) << sourced.err;
  EXPECT_EQ(sourced.out, "_cairn\n") << sourced.err;
  CommandResult autoloaded = RunCommand(
      {"zsh", "-f", "-c",
       "fpath=(" + fpath_dir + " $fpath) && " + compinit + "print -r -- ${_comps[cairn]}"});
  EXPECT_EQ(autoloaded.out, "_cairn\n") << autoloaded.err;

  // compadd and _files stand in for the completion system: they print what would be offered.
  const std::string stubs =
      "compadd() { print -r -- \"$@\"; }; _files() { print -r -- '<files>'; }; ";
  CommandResult state = RunCommand({"zsh", "-f", "-c",
                                    compinit + "source " + script + " && " + stubs +
                                        "words=(cairn state ''); CURRENT=3; _cairn"});
  EXPECT_EQ(state.exit_code, 0) << state.err;
  EXPECT_NE(state.out.find("list show rm mv"), std::string::npos) << state.out << state.err;
  CommandResult out_file = RunCommand({"zsh", "-f", "-c",
                                       compinit + "source " + script + " && " + stubs +
                                           "words=(cairn plan --out ''); CURRENT=4; _cairn"});
  EXPECT_EQ(out_file.out, "<files>\n") << out_file.err;
}

TEST_F(StateCommandsTest, EveryCommandHelpHasADescriptionAndExamples) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{{"plan"},
                                                                            {"apply"},
                                                                            {"import"},
                                                                            {"state", "mv"},
                                                                            {"graph"},
                                                                            {"providers"},
                                                                            {"completion"},
                                                                            {"force-unlock"}}) {
    cmd.push_back("--help");
    CommandResult r = Cairn(cmd);
    EXPECT_EQ(r.exit_code, 0) << cmd[0];
    EXPECT_NE(r.out.find("Example"), std::string::npos) << cmd[0] << ": " << r.out;
    EXPECT_GT(r.out.find("Usage"), 0u) << "a description precedes the usage: " << r.out;
  }
  EXPECT_NE(Cairn({"plan", "--help"}).out.find("--out"), std::string::npos);
}

}  // namespace
}  // namespace cairn::testing
