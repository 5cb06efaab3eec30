#include "engine/git/verify.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cairn::git {
namespace fs = std::filesystem;
namespace {

// A private scratch folder for the signature and signed bytes, removed when done.
struct Scratch {
  std::string dir;
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "cairn-verify-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) dir = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
  std::string Write(const std::string& name, const std::string& data) const {
    std::string path = dir + "/" + name;
    std::ofstream(path, std::ios::binary) << data;
    return path;
  }
};

struct ToolResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a verifying tool with stdin from `stdin_path`, its output captured in a file.
Result<ToolResult> RunTool(const std::vector<std::string>& argv, const std::string& stdin_path,
                           const Scratch& scratch) {
  std::string out_path = scratch.dir + "/output";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, stdin_path.empty() ? "/dev/null" : stdin_path.c_str(),
                                   O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return Status::Error("cannot run " + argv[0] + " to check a commit signature",
                         argv[0] == "gpgv" ? "install gpgv" : "install openssh-client");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ToolResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out_path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  r.output = text.str();
  return r;
}

std::string FirstLine(const std::string& s) {
  size_t nl = s.find('\n');
  return s.substr(0, nl);
}

Result<std::string> VerifySsh(const std::string& commit, const CommitSignature& sig,
                              const SignerKeys& keys) {
  std::string id = commit.substr(0, 12);
  if (keys.allowed_signers.empty())
    return Status::Error("commit " + id + " is signed with ssh, and no allowed signers are given",
                         "pass --allowed-signers FILE (ssh allowed_signers format)");
  Scratch scratch;
  if (scratch.dir.empty()) return Status::Error("cannot create a temporary folder");
  std::string sig_path = scratch.Write("commit.sig", sig.signature);
  std::string data_path = scratch.Write("commit.data", sig.signed_data);
  Result<ToolResult> found =
      RunTool({"ssh-keygen", "-Y", "find-principals", "-f", keys.allowed_signers, "-s", sig_path},
              "", scratch);
  if (!found.ok()) return found.status();
  std::string principal = FirstLine(found->output);
  if (found->exit_code != 0 || principal.empty())
    return Status::Error(
        "commit " + id + " is signed by a key that is not in " + keys.allowed_signers,
        "add the signer's public key to the allowed signers file if it may "
        "deploy");
  Result<ToolResult> verified = RunTool({"ssh-keygen", "-Y", "verify", "-f", keys.allowed_signers,
                                         "-I", principal, "-n", "git", "-s", sig_path},
                                        data_path, scratch);
  if (!verified.ok()) return verified.status();
  if (verified->exit_code != 0)
    return Status::Error("the signature of commit " + id +
                         " does not verify: " + FirstLine(verified->output));
  return principal;
}

Result<std::string> VerifyGpg(const std::string& commit, const CommitSignature& sig,
                              const SignerKeys& keys) {
  std::string id = commit.substr(0, 12);
  if (keys.gpg_keyring.empty())
    return Status::Error("commit " + id + " is signed with gpg, and no gpg keyring is given",
                         "pass --gpg-keyring FILE (public keys exported with gpg --export)");
  Scratch scratch;
  if (scratch.dir.empty()) return Status::Error("cannot create a temporary folder");
  std::string sig_path = scratch.Write("commit.sig", sig.signature);
  std::string data_path = scratch.Write("commit.data", sig.signed_data);
  std::string keyring = fs::absolute(keys.gpg_keyring).string();
  Result<ToolResult> r = RunTool({"gpgv", "--keyring", keyring, sig_path, data_path}, "", scratch);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0)
    return Status::Error("commit " + id +
                             " is not signed by a key in the gpg keyring (or its signature does "
                             "not verify)",
                         "add the signer's public key to " + keys.gpg_keyring);
  size_t at = r->output.find("Good signature from \"");
  if (at == std::string::npos) return std::string("gpg key");
  at += 21;
  return r->output.substr(at, r->output.find('"', at) - at);
}

}  // namespace

Result<std::string> VerifyCommit(const Repo& repo, const std::string& commit,
                                 const SignerKeys& keys) {
  Result<CommitSignature> sig = repo.Signature(commit);
  if (!sig.ok()) {
    if (sig.status().code() == Status::Code::kNotFound)
      return Status::Error(
          "commit " + commit.substr(0, 12) + " is not signed, and --require-signed is set",
          "sign commits (git commit -S) with a key of an allowed signer");
    return sig.status();
  }
  if (sig->signature.find("-----BEGIN SSH SIGNATURE-----") != std::string::npos)
    return VerifySsh(commit, *sig, keys);
  if (sig->signature.find("-----BEGIN PGP SIGNATURE-----") != std::string::npos)
    return VerifyGpg(commit, *sig, keys);
  return Status::Error("commit " + commit.substr(0, 12) + " has a signature of an unknown kind",
                       "sign with gpg or ssh");
}

}  // namespace cairn::git
