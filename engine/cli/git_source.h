// The git side of one run: which commit the blueprint comes from, which files are not
// committed, and (with --rev) the commit's in-repository plugin folders, exported to a private
// folder so that the work tree is never touched.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/base/diag.h"
#include "engine/base/status.h"
#include "engine/blueprint/blueprint.h"
#include "engine/git/repo.h"

namespace cairn::cli {

/// What the repository holding the blueprint says about this run.
struct GitSource {
  std::unique_ptr<git::Repo> repo;   // null when the blueprint is in no repository
  git::CommitInfo commit;            // empty id outside a repository or before the first commit
  bool from_tree = false;            // --rev: blueprint and in-repo plugins come from `commit`
  std::vector<std::string> changed;  // uncommitted files, repository-relative (see ScanChanges)
  std::string blueprint_rel;         // the blueprint's path relative to the repository root
  std::string export_dir;            // private folder of exported plugin folders ("" : none yet)

  GitSource() = default;
  GitSource(const GitSource&) = delete;
  GitSource& operator=(const GitSource&) = delete;
  ~GitSource();  // removes export_dir

  bool in_repo() const { return repo != nullptr; }
  bool dirty() const { return !changed.empty(); }
  /// With --rev: where the commit's copy of folder `dir` (absolute) is, exported on first use;
  /// `dir` itself when it lies outside the repository or without --rev.
  Result<std::string> PluginDir(const std::string& dir);
  /// Without --rev: lists in `changed` the uncommitted files under the folders `dirs`
  /// (absolute; those outside the repository are skipped), except under `state_dir`.
  Status ScanChanges(const std::vector<std::string>& dirs, const std::string& state_dir);
  /// Drops `file` (a path on disk) from `changed`: cairn's own output, such as the saved plan
  /// being applied, is not uncommitted input.
  void Disregard(const std::string& file);
  /// The blueprint's bytes: from the commit with --rev, else from `file` on disk.
  Result<std::string> BlueprintBytes(const std::string& file) const;
};

/// Opens the repository holding `blueprint_file` and resolves `rev` (HEAD when empty). When the
/// blueprint is in no repository, or is ignored there (generated, not kept in git), the result
/// has no repo, unless `rev` was given, which is then an error.
Result<std::unique_ptr<GitSource>> OpenGitSource(const std::string& blueprint_file,
                                                 const std::string& rev);

/// Loads the blueprint at `file` as `src.commit` has it. Positions read "<file>@<short id>";
/// out->dir stays the folder of `file` on disk, where secret files and outputs live.
bool LoadBlueprintFromCommit(const std::string& file, const GitSource& src,
                             blueprint::Blueprint* out, Diagnostics* diags);
/// src.PluginDir(dir), reporting a failure in `diags` (and then returning `dir`).
std::string CommitPluginDir(GitSource& src, const std::string& dir, Diagnostics* diags);

}  // namespace cairn::cli
