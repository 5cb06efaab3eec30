#include "engine/cli/git_source.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "engine/state/file_io.h"

namespace cairn::cli {
namespace fs = std::filesystem;

GitSource::~GitSource() {
  std::error_code ec;
  if (!export_dir.empty()) fs::remove_all(export_dir, ec);
}

Result<std::string> GitSource::PluginDir(const std::string& dir) {
  if (!from_tree || repo == nullptr) return dir;
  std::string rel = git::RelativeTo(dir, repo->workdir());
  if (rel.empty()) return dir;  // outside the repository: read from disk
  if (export_dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "cairn-rev-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr)
      return Status::Error("cannot create a temporary folder for the plugins of commit " +
                           commit.ShortId());
    export_dir = tmpl;
  }
  fs::path dest = fs::path(export_dir) / rel;
  std::error_code ec;
  if (fs::exists(dest, ec)) return dest.string();
  Status st = repo->ExportDir(commit.id, rel, dest.string());
  if (!st.ok()) {
    // A plugin folder the commit does not have is reported as missing, as on disk.
    if (st.code() == Status::Code::kNotFound) return dest.string();
    return st;
  }
  return dest.string();
}

Result<std::string> GitSource::BlueprintBytes(const std::string& file) const {
  if (from_tree) return repo->ReadFile(commit.id, blueprint_rel);
  std::string text;
  Status st = state::ReadWholeFile(file, &text);
  if (!st.ok()) return st;
  return text;
}

void GitSource::Disregard(const std::string& file) {
  if (repo == nullptr) return;
  std::string rel = git::RelativeTo(file, repo->workdir());
  changed.erase(std::remove(changed.begin(), changed.end(), rel), changed.end());
}

Status GitSource::ScanChanges(const std::vector<std::string>& dirs, const std::string& state_dir) {
  if (repo == nullptr || from_tree) return Status::Ok();
  std::vector<std::string> include;
  for (const std::string& d : dirs)
    if (std::string rel = git::RelativeTo(d, repo->workdir()); !rel.empty()) include.push_back(rel);
  if (include.empty()) return Status::Ok();
  std::vector<std::string> exclude;
  std::string rel_state = git::RelativeTo(state_dir, repo->workdir());
  if (!rel_state.empty() && rel_state != ".") exclude.push_back(rel_state);
  Result<std::vector<std::string>> found = repo->ChangedFiles(include, exclude);
  if (!found.ok()) return found.status();
  changed = std::move(*found);
  return Status::Ok();
}

Result<std::unique_ptr<GitSource>> OpenGitSource(const std::string& blueprint_file,
                                                 const std::string& rev) {
  auto src = std::make_unique<GitSource>();
  Result<std::unique_ptr<git::Repo>> repo = git::Repo::Discover(blueprint_file);
  if (!repo.ok()) {
    if (rev.empty() && repo.status().code() == Status::Code::kNotFound) return src;
    if (repo.status().code() != Status::Code::kNotFound) return repo.status();  // e.g. no libgit2
    return Status::Error(
        "--rev " + rev + ": the blueprint " + blueprint_file + " is not inside a git repository",
        "run cairn from a clone of the repository that holds the blueprint");
  }
  src->repo = std::move(*repo);
  if (src->repo->workdir().empty())
    return Status::Error("the repository holding " + blueprint_file + " has no work tree");
  src->blueprint_rel = git::RelativeTo(blueprint_file, src->repo->workdir());
  if (rev.empty() && src->repo->IsIgnored(src->blueprint_rel)) {
    src->repo.reset();  // a generated blueprint: git does not keep it
    return src;
  }
  if (!rev.empty()) {
    Result<git::CommitInfo> c = src->repo->Resolve(rev);
    if (!c.ok())
      return Status::Error(c.status().message(), "name a commit id, branch or tag of " +
                                                     src->repo->workdir() +
                                                     " (git log --oneline shows them)");
    src->commit = *c;
    src->from_tree = true;
    return src;
  }
  Result<git::CommitInfo> head = src->repo->Head();
  if (head.ok()) {
    src->commit = *head;
  } else if (head.status().code() != Status::Code::kNotFound) {
    return head.status();
  }
  return src;
}

}  // namespace cairn::cli

namespace cairn::cli {

bool LoadBlueprintFromCommit(const std::string& file, const GitSource& src,
                             blueprint::Blueprint* out, Diagnostics* diags) {
  Result<std::string> text = src.repo->ReadFile(src.commit.id, src.blueprint_rel);
  if (!text.ok()) {
    Diagnostic d;
    d.summary = text.status().message();
    d.hint = "the blueprint must be committed at " + src.blueprint_rel +
             " in that commit; check -f and --rev";
    diags->Add(std::move(d));
    return false;
  }
  std::string dir = fs::absolute(file).parent_path().lexically_normal().string();
  bool ok = blueprint::LoadString(file + "@" + src.commit.ShortId(), *text, out, diags);
  out->dir = dir;
  return ok;
}

std::string CommitPluginDir(GitSource& src, const std::string& dir, Diagnostics* diags) {
  Result<std::string> mapped = src.PluginDir(dir);
  if (mapped.ok()) return *mapped;
  diags->AddStatus(mapped.status());
  return dir;
}

}  // namespace cairn::cli
