#include "engine/git/repo.h"

#include <filesystem>
#include <fstream>
#include <mutex>

#include "engine/git/handles.h"

namespace cairn::git {
namespace fs = std::filesystem;

void EnsureLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

// Whether `dir` or a parent could hold a repository that git_repository_open_ext (without
// flags) finds: a .git folder or gitfile, or a bare repository (HEAD, objects/, refs/). Looking
// first keeps libgit2 uninitialised outside repositories, where it would find nothing: its
// initialisation parses the system's whole CA bundle (~50M instructions, more than a plan of
// 1,000 resources needs).
bool MayHoldRepository(const fs::path& start) {
  auto any_parent = [](fs::path dir) {
    std::error_code ec;
    while (true) {
      if (fs::exists(dir / ".git", ec)) return true;
      if (fs::exists(dir / "HEAD", ec) && fs::is_directory(dir / "objects", ec) &&
          fs::is_directory(dir / "refs", ec))
        return true;
      fs::path parent = dir.parent_path();
      if (parent == dir || parent.empty()) return false;
      dir = std::move(parent);
    }
  };
  // Both the path as written and with symlinks resolved: libgit2 walks up the resolved one.
  std::error_code ec;
  fs::path resolved = fs::weakly_canonical(start, ec);
  return any_parent(start) || (!ec && resolved != start && any_parent(resolved));
}

Status GitError(const std::string& what, int code) {
  const git_error* e = git_error_last();
  std::string msg = what + ": " + (e != nullptr && e->message != nullptr ? e->message : "error");
  return Status::WithCode(code == GIT_ENOTFOUND ? Status::Code::kNotFound : Status::Code::kError,
                          msg);
}

std::string RelativeTo(const std::string& path, const std::string& root) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  fs::path r = fs::weakly_canonical(fs::absolute(root, ec), ec);
  fs::path rel = p.lexically_relative(r);
  if (rel.empty() || *rel.begin() == "..") return "";
  return rel == "." ? "." : rel.generic_string();
}

namespace {

std::string OidHex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

Result<CommitHandle> LookupCommit(git_repository* repo, const std::string& rev) {
  git_object* obj = nullptr;
  int rc = git_revparse_single(&obj, repo, rev.c_str());
  if (rc != 0) return GitError("cannot resolve '" + rev + "'", rc);
  ObjectHandle owned(obj);
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
  if (rc != 0) return GitError("'" + rev + "' is not a commit", rc);
  return CommitHandle(reinterpret_cast<git_commit*>(peeled));
}

CommitInfo InfoOf(git_commit* c) {
  CommitInfo info;
  info.id = OidHex(git_commit_id(c));
  const char* summary = git_commit_summary(c);
  info.summary = summary != nullptr ? summary : "";
  const git_signature* a = git_commit_author(c);
  if (a != nullptr) info.author = std::string(a->name) + " <" + a->email + ">";
  info.time = static_cast<int64_t>(git_commit_time(c));
  return info;
}

Result<TreeHandle> TreeOf(git_repository* repo, const std::string& commit) {
  Result<CommitHandle> c = LookupCommit(repo, commit);
  if (!c.ok()) return c.status();
  git_tree* tree = nullptr;
  int rc = git_commit_tree(&tree, c->get());
  if (rc != 0) return GitError("cannot read the tree of " + commit, rc);
  return TreeHandle(tree);
}

// Writes every blob below `tree` into `dest`, recursing into sub-trees.
Status WriteTree(git_repository* repo, git_tree* tree, const fs::path& dest) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return Status::Error("cannot create " + dest.string() + ": " + ec.message());
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    fs::path target = dest / git_tree_entry_name(e);
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      git_tree* sub = nullptr;
      int rc = git_tree_lookup(&sub, repo, git_tree_entry_id(e));
      if (rc != 0) return GitError("cannot read " + target.string(), rc);
      TreeHandle owned(sub);
      Status st = WriteTree(repo, sub, target);
      if (!st.ok()) return st;
    } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
      git_blob* blob = nullptr;
      int rc = git_blob_lookup(&blob, repo, git_tree_entry_id(e));
      if (rc != 0) return GitError("cannot read " + target.string(), rc);
      BlobHandle owned(blob);
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out.write(static_cast<const char*>(git_blob_rawcontent(blob)),
                static_cast<std::streamsize>(git_blob_rawsize(blob)));
      if (!out) return Status::Error("cannot write " + target.string());
    }
  }
  return Status::Ok();
}

}  // namespace

Repo::Repo(git_repository* repo) : repo_(repo) {
  const char* wd = git_repository_workdir(repo);
  if (wd != nullptr) {
    workdir_ = wd;
    while (workdir_.size() > 1 && workdir_.back() == '/') workdir_.pop_back();
  }
}

Repo::~Repo() { git_repository_free(repo_); }

Result<std::unique_ptr<Repo>> Repo::Discover(const std::string& path) {
  std::error_code ec;
  fs::path start = fs::absolute(path, ec);
  if (!fs::is_directory(start, ec)) start = start.parent_path();
  if (!MayHoldRepository(start))
    return Status::WithCode(Status::Code::kNotFound, "no git repository holds " + start.string() +
                                                         ": no .git in it or in a parent folder");
  EnsureLibgit2();
  git_repository* repo = nullptr;
  int rc = git_repository_open_ext(&repo, start.c_str(), 0, nullptr);
  if (rc != 0) return GitError("no git repository holds " + start.string(), rc);
  return std::unique_ptr<Repo>(new Repo(repo));
}

Result<CommitInfo> Repo::Resolve(const std::string& rev) const {
  Result<CommitHandle> c = LookupCommit(repo_, rev);
  if (!c.ok()) return c.status();
  return InfoOf(c->get());
}

Result<CommitInfo> Repo::Head() const {
  if (git_repository_head_unborn(repo_) == 1)
    return Status::WithCode(Status::Code::kNotFound, "the repository has no commit yet");
  return Resolve("HEAD");
}

Result<std::string> Repo::ReadFile(const std::string& commit, const std::string& rel_path) const {
  Result<TreeHandle> tree = TreeOf(repo_, commit);
  if (!tree.ok()) return tree.status();
  git_tree_entry* e = nullptr;
  int rc = git_tree_entry_bypath(&e, tree->get(), rel_path.c_str());
  if (rc != 0) return GitError("commit " + commit.substr(0, 12) + " has no file " + rel_path, rc);
  TreeEntryHandle entry(e);
  if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
    return Status::Error("'" + rel_path + "' in commit " + commit.substr(0, 12) + " is not a file");
  git_blob* blob = nullptr;
  rc = git_blob_lookup(&blob, repo_, git_tree_entry_id(e));
  if (rc != 0) return GitError("cannot read " + rel_path, rc);
  BlobHandle owned(blob);
  return std::string(static_cast<const char*>(git_blob_rawcontent(blob)),
                     static_cast<size_t>(git_blob_rawsize(blob)));
}

Status Repo::ExportDir(const std::string& commit, const std::string& rel_dir,
                       const std::string& dest) const {
  Result<TreeHandle> tree = TreeOf(repo_, commit);
  if (!tree.ok()) return tree.status();
  if (rel_dir.empty() || rel_dir == ".") return WriteTree(repo_, tree->get(), dest);
  git_tree_entry* e = nullptr;
  int rc = git_tree_entry_bypath(&e, tree->get(), rel_dir.c_str());
  if (rc != 0) return GitError("commit " + commit.substr(0, 12) + " has no folder " + rel_dir, rc);
  TreeEntryHandle entry(e);
  if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
    return Status::Error("'" + rel_dir + "' in commit " + commit.substr(0, 12) +
                         " is not a folder");
  git_tree* sub = nullptr;
  rc = git_tree_lookup(&sub, repo_, git_tree_entry_id(e));
  if (rc != 0) return GitError("cannot read " + rel_dir, rc);
  TreeHandle owned(sub);
  return WriteTree(repo_, sub, dest);
}

Result<bool> Repo::Contains(const std::string& commit, const std::string& ancestor) const {
  Result<CommitHandle> c = LookupCommit(repo_, commit);
  if (!c.ok()) return c.status();
  Result<CommitHandle> a = LookupCommit(repo_, ancestor);
  if (!a.ok()) return a.status();
  const git_oid* co = git_commit_id(c->get());
  const git_oid* ao = git_commit_id(a->get());
  if (git_oid_equal(co, ao)) return true;
  int rc = git_graph_descendant_of(repo_, co, ao);
  if (rc < 0) return GitError("cannot walk the history of " + commit.substr(0, 12), rc);
  return rc == 1;
}

Result<CommitSignature> Repo::Signature(const std::string& commit) const {
  Result<CommitHandle> c = LookupCommit(repo_, commit);
  if (!c.ok()) return c.status();
  git_buf sig = GIT_BUF_INIT;
  git_buf data = GIT_BUF_INIT;
  git_oid oid = *git_commit_id(c->get());  // the 1.5 API takes a non-const id
  int rc = git_commit_extract_signature(&sig, &data, repo_, &oid, nullptr);
  if (rc == GIT_ENOTFOUND)
    return Status::WithCode(Status::Code::kNotFound,
                            "commit " + commit.substr(0, 12) + " is not signed");
  if (rc != 0) return GitError("cannot read the signature of " + commit.substr(0, 12), rc);
  CommitSignature out{std::string(sig.ptr, sig.size), std::string(data.ptr, data.size)};
  git_buf_dispose(&sig);
  git_buf_dispose(&data);
  return out;
}

}  // namespace cairn::git
