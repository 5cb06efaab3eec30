// Shared set-up for the `cairn watch` tests: an author's repository, the bare remote it pushes
// to (served as file://, by git daemon, or over ssh by the test), the deployer's clone that
// watch runs in, and readers for the status file and the deployed state.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/json.h"
#include "tests/git/git_fixture.h"

namespace cairn::testing {

constexpr double kPatience = 60;  // seconds to wait for a decision on a loaded machine

/// A deployer's clone (deploy_) of a bare remote (bare_) that the author's repository (dir_)
/// pushes to, and `cairn watch` run on the clone.
class WatchFixture : public GitFixture {
 protected:
  void SetUp() override {
    GitFixture::SetUp();
    Init(dir_.path());
    WriteFile(dir_.Join(".gitignore"), ".cairn/\n");
    UseMemoPlugin("1.0.0");
    WriteFile(dir_.Join("blueprint.yaml"), Blueprint({{"a", "one"}}));
    c1_ = CommitAll(dir_.path(), "note a");
    bare_ = remotes_.Join("site.git");
    Git(remotes_.path(), {"clone", "-q", "--bare", dir_.path(), bare_});
    deploy_ = remotes_.Join("deploy");
    Git(remotes_.path(), {"clone", "-q", "file://" + bare_, deploy_});
  }

  static std::string Blueprint(const std::vector<std::pair<std::string, std::string>>& notes) {
    std::string out = "plugins: [plugins]\nresources:\n";
    for (const auto& [name, text] : notes)
      out += "  memo.note." + name + ":\n    text: " + text + "\n";
    return out;
  }

  // Commits a new blueprint in the author's repository and pushes it to the bare remote.
  std::string Push(const std::vector<std::pair<std::string, std::string>>& notes,
                   const std::string& message) {
    WriteFile(dir_.Join("blueprint.yaml"), Blueprint(notes));
    std::string id = CommitAll(dir_.path(), message);
    Git(dir_.path(), {"push", "-q", "--force", bare_, "HEAD:main"});
    return id;
  }

  void StartDaemon() {
    CommandResult exec = RunCommand({"git", "--exec-path"});
    std::string dir = exec.out.substr(0, exec.out.find('\n'));
    ASSERT_TRUE(FileExists(dir + "/git-daemon"))
        << "git daemon is missing (" << dir << "/git-daemon): install git "
        << "(.ci/install-deps.sh does)";
    if (port_ < 0) port_ = FreeLocalPort();
    ASSERT_TRUE(daemon_.Start(
        {"git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + std::to_string(port_),
         "--base-path=" + remotes_.path(), "--export-all", "--informative-errors", remotes_.path()},
        remotes_.path(), GitEnv(), remotes_.Join("daemon")));
    ASSERT_TRUE(WaitFor([&] { return PortOpen(port_); }, kPatience))
        << "git daemon did not listen on 127.0.0.1:" << port_ << ": " << daemon_.err();
  }

  std::vector<std::string> WatchArgs(const std::string& remote) {
    return {CairnBinary(),   "-f",         deploy_ + "/blueprint.yaml",
            "--no-color",    "watch",      "--remote",
            remote,          "--interval", "0.2s",
            "--max-backoff", "1s",         "--status-file",
            status_file_};
  }

  // The status file, or null while it does not exist yet.
  Value Status() {
    if (!FileExists(status_file_)) return Value();
    Result<Value> v = ParseJson(ReadFile(status_file_));
    return v.ok() ? *v : Value();
  }

  // Waits until the status file reports `decision` for `commit` ("" : any commit).
  bool WaitForDecision(const std::string& commit, const std::string& decision) {
    return WaitFor(
        [&] {
          Value s = Status();
          if (!s.is_map()) return false;
          return s.Find("decision")->AsString() == decision &&
                 (commit.empty() || s.Find("commit")->AsString() == commit);
        },
        kPatience);
  }

  // The notes in the deployed state: address -> text.
  std::map<std::string, std::string> Notes() {
    std::map<std::string, std::string> out;
    Result<Value> st = ParseJson(ReadFile(deploy_ + "/.cairn/state.json"));
    if (!st.ok()) return out;
    for (const Value& r : st->Find("resources")->AsList())
      out[r.Find("address")->AsString()] = r.Find("attributes")->Find("text")->AsString();
    return out;
  }

  TempDir remotes_;
  std::string bare_, deploy_, c1_;
  std::string status_file_ = remotes_.Join("status.json");
  int port_ = -1;
  BackgroundProcess daemon_;
};

}  // namespace cairn::testing
