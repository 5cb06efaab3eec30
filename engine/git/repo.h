// The git stage: the repository that holds the blueprint. It opens that repository, resolves
// revisions to commits, reads a commit's files without touching the work tree, lists what is
// uncommitted, answers ancestry questions, fetches a remote branch and extracts commit
// signatures. Everything goes through libgit2; nothing here runs the git program.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/status.h"

struct git_repository;

namespace cairn::git {

/// One commit as shown to people.
struct CommitInfo {
  std::string id;       // full hex id
  std::string summary;  // first line of the message
  std::string author;   // "Name <email>"
  int64_t time = 0;     // committer time, seconds since the epoch
  std::string ShortId() const { return id.substr(0, 12); }
};

/// How to reach a remote: CA file for https; key and known hosts for ssh (all optional).
struct FetchOptions {
  std::string ca_file;         // PEM bundle trusted for https remotes
  std::string ssh_key;         // private key file for ssh remotes
  std::string ssh_public_key;  // its .pub ("" : ssh_key + ".pub")
  std::string known_hosts;     // host keys trusted for ssh ("" : $HOME/.ssh/known_hosts)
};

/// A commit's signature and the bytes it signs (kNotFound when the commit is unsigned).
struct CommitSignature {
  std::string signature;    // armored: "-----BEGIN SSH SIGNATURE-----" or PGP
  std::string signed_data;  // the commit object without its gpgsig header
};

/// An open repository (move-only handle).
class Repo {
 public:
  /// Opens the repository containing `path` (a file or folder), searching upwards;
  /// kNotFound when `path` is in no repository.
  static Result<std::unique_ptr<Repo>> Discover(const std::string& path);
  ~Repo();
  Repo(const Repo&) = delete;
  Repo& operator=(const Repo&) = delete;

  /// The work tree's root, absolute, without trailing slash ("" for a bare repository).
  const std::string& workdir() const { return workdir_; }

  /// Resolves a commit id (full or abbreviated), branch, tag or expression ("HEAD~1").
  Result<CommitInfo> Resolve(const std::string& rev) const;
  /// The checked-out commit; kNotFound while HEAD has no commit yet.
  Result<CommitInfo> Head() const;

  /// The bytes of `rel_path` (relative to the repository root, '/'-separated) in `commit`'s
  /// tree; kNotFound when the commit has no such file.
  Result<std::string> ReadFile(const std::string& commit, const std::string& rel_path) const;
  /// Writes the folder `rel_dir` of `commit`'s tree under `dest` (created); kNotFound when the
  /// commit has no such folder.
  Status ExportDir(const std::string& commit, const std::string& rel_dir,
                   const std::string& dest) const;

  /// Paths (relative to the root) that differ from HEAD: staged, modified, deleted, and
  /// untracked files not ignored. Only paths under one of `include` (root-relative folders;
  /// "." or none: everywhere) and under none of `exclude` are listed. Sorted.
  Result<std::vector<std::string>> ChangedFiles(const std::vector<std::string>& include,
                                                const std::vector<std::string>& exclude) const;
  /// Whether the ignore rules (.gitignore and the like) ignore `rel_path`.
  bool IsIgnored(const std::string& rel_path) const;

  /// Whether `ancestor` is `commit` or in its history.
  Result<bool> Contains(const std::string& commit, const std::string& ancestor) const;

  /// Fetches `branch` of `remote` (a configured remote's name, or a URL: file://, git://,
  /// https://, ssh://) into refs/cairn/watch/<branch> and returns the commit it points at.
  /// An ssh host's key must be in the known hosts file; any other is refused.
  Result<std::string> FetchBranch(const std::string& remote, const std::string& branch,
                                  const FetchOptions& options) const;

  /// The signature of `commit`; kNotFound when it has none.
  Result<CommitSignature> Signature(const std::string& commit) const;

 private:
  explicit Repo(git_repository* repo);
  git_repository* repo_;
  std::string workdir_;
};

/// "<what>: <libgit2's last error message>"
Status GitError(const std::string& what, int code);

/// `path` relative to `root` ('/'-separated) when it lies inside it; "" otherwise.
std::string RelativeTo(const std::string& path, const std::string& root);

}  // namespace cairn::git
