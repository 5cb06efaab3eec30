// Repo::ChangedFiles: what in the work tree is not committed.
#include <algorithm>
#include <set>

#include "engine/git/handles.h"
#include "engine/git/repo.h"

namespace cairn::git {
namespace {

bool Under(const std::string& path, const std::string& dir) {
  if (dir.empty() || dir == ".") return true;
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
                         path[dir.size()] == '/');
}

}  // namespace

Result<std::vector<std::string>> Repo::ChangedFiles(const std::vector<std::string>& include,
                                                    const std::vector<std::string>& exclude) const {
  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* list = nullptr;
  int rc = git_status_list_new(&list, repo_, &opts);
  if (rc != 0) return GitError("cannot read the status of " + workdir_, rc);
  StatusListHandle owned(list);
  std::set<std::string> paths;
  size_t n = git_status_list_entrycount(list);
  for (size_t i = 0; i < n; ++i) {
    const git_status_entry* e = git_status_byindex(list, i);
    if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED) != 0) continue;
    const git_diff_delta* d =
        e->index_to_workdir != nullptr ? e->index_to_workdir : e->head_to_index;
    if (d == nullptr) continue;
    const char* p = d->new_file.path != nullptr ? d->new_file.path : d->old_file.path;
    if (p == nullptr) continue;
    std::string path = p;
    bool in = include.empty() || std::any_of(include.begin(), include.end(),
                                             [&](const auto& dir) { return Under(path, dir); });
    bool skip = !in || std::any_of(exclude.begin(), exclude.end(), [&](const std::string& dir) {
      return !dir.empty() && Under(path, dir);
    });
    if (!skip) paths.insert(path);
  }
  return std::vector<std::string>(paths.begin(), paths.end());
}

bool Repo::IsIgnored(const std::string& rel_path) const {
  int ignored = 0;
  return git_ignore_path_is_ignored(&ignored, repo_, rel_path.c_str()) == 0 && ignored == 1;
}

}  // namespace cairn::git
