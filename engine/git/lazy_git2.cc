// libgit2, loaded on the first git call instead of at program start.
//
// Linked normally, libgit2 and the libraries it pulls in (mbedtls, libssh2 and through it
// libcrypto, Kerberos/GSSAPI, http-parser, pcre2) are mapped and relocated by the loader before
// main() in every run, although a blueprint outside a git repository, `cairn version`, validate
// and graph never make a git call. So cairn does not link libgit2: this file defines the git_*
// functions cairn calls (engine/git/*), and the first call dlopen()s libgit2.so.1.5 and
// forwards. Callers use the ordinary libgit2 API; git_libgit2_init still runs once, from
// EnsureLibgit2 (repo.cc), when the first repository is opened.
//
// If libgit2 cannot be loaded, the calls that start git work (git_libgit2_init,
// git_libgit2_opts, git_repository_open_ext) fail with -1 and git_error_last() says why and
// which package to install, so that cairn reports it as it reports any git error; every other
// function takes an object that only a loaded libgit2 hands out. The forwarders are hidden (not
// in the binary's dynamic symbol table), so they never stand in for libgit2's own functions.
// A package of cairn must depend on libgit2-1.5 itself: the binary no longer names it.
#include <cstdarg>
#include <string>

#include <git2.h>

#include "engine/base/lazy_library.h"

namespace cairn::git {
namespace {

constexpr const char* kSoname = "libgit2.so.1.5";  // the soname cairn was built against

// Every libgit2 function cairn calls; each has a forwarder below.
// clang-format off
#define CAIRN_GIT_FUNCTIONS(X) \
  X(git_blob_free) \
  X(git_blob_lookup) \
  X(git_blob_rawcontent) \
  X(git_blob_rawsize) \
  X(git_buf_dispose) \
  X(git_commit_author) \
  X(git_commit_extract_signature) \
  X(git_commit_free) \
  X(git_commit_id) \
  X(git_commit_summary) \
  X(git_commit_time) \
  X(git_commit_tree) \
  X(git_credential_ssh_key_new) \
  X(git_error_last) \
  X(git_graph_descendant_of) \
  X(git_ignore_path_is_ignored) \
  X(git_libgit2_init) \
  X(git_libgit2_opts) \
  X(git_object_free) \
  X(git_object_peel) \
  X(git_oid_equal) \
  X(git_oid_tostr) \
  X(git_reference_name_to_id) \
  X(git_remote_create_anonymous) \
  X(git_remote_fetch) \
  X(git_remote_free) \
  X(git_remote_lookup) \
  X(git_remote_url) \
  X(git_repository_free) \
  X(git_repository_head_unborn) \
  X(git_repository_open_ext) \
  X(git_repository_workdir) \
  X(git_revparse_single) \
  X(git_status_byindex) \
  X(git_status_list_entrycount) \
  X(git_status_list_free) \
  X(git_status_list_new) \
  X(git_tree_entry_byindex) \
  X(git_tree_entry_bypath) \
  X(git_tree_entry_free) \
  X(git_tree_entry_id) \
  X(git_tree_entry_name) \
  X(git_tree_entry_type) \
  X(git_tree_entrycount) \
  X(git_tree_free) \
  X(git_tree_lookup)
// clang-format on

/// The functions looked up in libgit2.so.1.5, typed as libgit2's headers declare them; all
/// null when it could not be loaded.
struct GitFunctions {
#define CAIRN_FIELD(name) decltype(&::name) name = nullptr;
  CAIRN_GIT_FUNCTIONS(CAIRN_FIELD)
#undef CAIRN_FIELD
  decltype(&::git_error_set_str) error_set_str = nullptr;  // for git_libgit2_opts' refusal
  std::string error;  // why libgit2 could not be loaded; empty when it was
};

GitFunctions Load() {
  GitFunctions f;
  // Debian's package of libgit2.so.1.5; never unloaded.
  void* lib = OpenLibrary(kSoname, "libgit2-1.5", &f.error);
  bool ok = lib != nullptr;
#define CAIRN_FIND(name) ok = ok && FindSymbol(lib, kSoname, #name, &f.name, &f.error);
  CAIRN_GIT_FUNCTIONS(CAIRN_FIND)
#undef CAIRN_FIND
  ok = ok && FindSymbol(lib, kSoname, "git_error_set_str", &f.error_set_str, &f.error);
  if (!ok) {
    std::string error = std::move(f.error);
    f = GitFunctions();
    f.error = std::move(error);
  }
  return f;
}

/// The loaded functions; the first call loads them (thread-safe: a function-local static).
const GitFunctions& Git() {
  static const GitFunctions functions = Load();
  return functions;
}

bool Loaded() { return Git().error.empty(); }

}  // namespace
}  // namespace cairn::git

// The forwarders' symbols are local to the binary (see the file comment); libgit2's headers
// declare them with default visibility, so this is said to the assembler.
#define CAIRN_HIDE(name) CAIRN_HIDE_SYMBOL(name)
CAIRN_GIT_FUNCTIONS(CAIRN_HIDE)
#undef CAIRN_HIDE

using cairn::git::Git;
using cairn::git::Loaded;

extern "C" {

int git_libgit2_init() { return Loaded() ? Git().git_libgit2_init() : -1; }

// The option decides the arguments' types; these are the options cairn sets.
int git_libgit2_opts(int option, ...) {
  if (!Loaded()) return -1;
  va_list args;
  va_start(args, option);
  int rc = -1;
  if (option == GIT_OPT_SET_SSL_CERT_LOCATIONS) {
    const char* file = va_arg(args, const char*);
    const char* path = va_arg(args, const char*);
    rc = Git().git_libgit2_opts(option, file, path);
  } else {
    Git().error_set_str(GIT_ERROR_INVALID, "cairn does not forward this git_libgit2_opts option");
  }
  va_end(args);
  return rc;
}

const git_error* git_error_last() {
  if (Loaded()) return Git().git_error_last();
  // Why libgit2 could not be loaded, as libgit2 reports an error.
  static const git_error load_error{const_cast<char*>(Git().error.c_str()), GIT_ERROR_OS};
  return &load_error;
}

int git_repository_open_ext(git_repository** out, const char* path, unsigned int flags,
                            const char* ceiling_dirs) {
  return Loaded() ? Git().git_repository_open_ext(out, path, flags, ceiling_dirs) : -1;
}

// Each function below takes an object (or a buffer filled by one) that only a loaded libgit2
// hands out, so it forwards without checking.

void git_blob_free(git_blob* blob) { Git().git_blob_free(blob); }

int git_blob_lookup(git_blob** blob, git_repository* repo, const git_oid* id) {
  return Git().git_blob_lookup(blob, repo, id);
}

const void* git_blob_rawcontent(const git_blob* blob) { return Git().git_blob_rawcontent(blob); }

git_object_size_t git_blob_rawsize(const git_blob* blob) { return Git().git_blob_rawsize(blob); }

void git_buf_dispose(git_buf* buffer) { Git().git_buf_dispose(buffer); }

const git_signature* git_commit_author(const git_commit* commit) {
  return Git().git_commit_author(commit);
}

int git_commit_extract_signature(git_buf* signature, git_buf* signed_data, git_repository* repo,
                                 git_oid* commit_id, const char* field) {
  return Git().git_commit_extract_signature(signature, signed_data, repo, commit_id, field);
}

void git_commit_free(git_commit* commit) { Git().git_commit_free(commit); }

const git_oid* git_commit_id(const git_commit* commit) { return Git().git_commit_id(commit); }

const char* git_commit_summary(git_commit* commit) { return Git().git_commit_summary(commit); }

git_time_t git_commit_time(const git_commit* commit) { return Git().git_commit_time(commit); }

int git_commit_tree(git_tree** tree_out, const git_commit* commit) {
  return Git().git_commit_tree(tree_out, commit);
}

int git_credential_ssh_key_new(git_credential** out, const char* username, const char* publickey,
                               const char* privatekey, const char* passphrase) {
  return Git().git_credential_ssh_key_new(out, username, publickey, privatekey, passphrase);
}

int git_graph_descendant_of(git_repository* repo, const git_oid* commit, const git_oid* ancestor) {
  return Git().git_graph_descendant_of(repo, commit, ancestor);
}

int git_ignore_path_is_ignored(int* ignored, git_repository* repo, const char* path) {
  return Git().git_ignore_path_is_ignored(ignored, repo, path);
}

void git_object_free(git_object* object) { Git().git_object_free(object); }

int git_object_peel(git_object** peeled, const git_object* object, git_object_t target_type) {
  return Git().git_object_peel(peeled, object, target_type);
}

int git_oid_equal(const git_oid* a, const git_oid* b) { return Git().git_oid_equal(a, b); }

char* git_oid_tostr(char* out, size_t n, const git_oid* id) {
  return Git().git_oid_tostr(out, n, id);
}

int git_reference_name_to_id(git_oid* out, git_repository* repo, const char* name) {
  return Git().git_reference_name_to_id(out, repo, name);
}

int git_remote_create_anonymous(git_remote** out, git_repository* repo, const char* url) {
  return Git().git_remote_create_anonymous(out, repo, url);
}

int git_remote_fetch(git_remote* remote, const git_strarray* refspecs,
                     const git_fetch_options* opts, const char* reflog_message) {
  return Git().git_remote_fetch(remote, refspecs, opts, reflog_message);
}

void git_remote_free(git_remote* remote) { Git().git_remote_free(remote); }

int git_remote_lookup(git_remote** out, git_repository* repo, const char* name) {
  return Git().git_remote_lookup(out, repo, name);
}

const char* git_remote_url(const git_remote* remote) { return Git().git_remote_url(remote); }

void git_repository_free(git_repository* repo) { Git().git_repository_free(repo); }

int git_repository_head_unborn(git_repository* repo) {
  return Git().git_repository_head_unborn(repo);
}

const char* git_repository_workdir(const git_repository* repo) {
  return Git().git_repository_workdir(repo);
}

int git_revparse_single(git_object** out, git_repository* repo, const char* spec) {
  return Git().git_revparse_single(out, repo, spec);
}

const git_status_entry* git_status_byindex(git_status_list* statuslist, size_t idx) {
  return Git().git_status_byindex(statuslist, idx);
}

size_t git_status_list_entrycount(git_status_list* statuslist) {
  return Git().git_status_list_entrycount(statuslist);
}

void git_status_list_free(git_status_list* statuslist) { Git().git_status_list_free(statuslist); }

int git_status_list_new(git_status_list** out, git_repository* repo,
                        const git_status_options* opts) {
  return Git().git_status_list_new(out, repo, opts);
}

const git_tree_entry* git_tree_entry_byindex(const git_tree* tree, size_t idx) {
  return Git().git_tree_entry_byindex(tree, idx);
}

int git_tree_entry_bypath(git_tree_entry** out, const git_tree* root, const char* path) {
  return Git().git_tree_entry_bypath(out, root, path);
}

void git_tree_entry_free(git_tree_entry* entry) { Git().git_tree_entry_free(entry); }

const git_oid* git_tree_entry_id(const git_tree_entry* entry) {
  return Git().git_tree_entry_id(entry);
}

const char* git_tree_entry_name(const git_tree_entry* entry) {
  return Git().git_tree_entry_name(entry);
}

git_object_t git_tree_entry_type(const git_tree_entry* entry) {
  return Git().git_tree_entry_type(entry);
}

size_t git_tree_entrycount(const git_tree* tree) { return Git().git_tree_entrycount(tree); }

void git_tree_free(git_tree* tree) { Git().git_tree_free(tree); }

int git_tree_lookup(git_tree** out, git_repository* repo, const git_oid* id) {
  return Git().git_tree_lookup(out, repo, id);
}

}  // extern "C"
