// Repo::FetchBranch: bring one branch of a remote into refs/cairn/watch/.
#include <git2.h>

#include "engine/git/handles.h"
#include "engine/git/repo.h"

namespace cairn::git {
namespace {

// Offers the configured key to ssh remotes, once; other credential types are not supported.
int Credentials(git_credential** out, const char* url, const char* user_from_url,
                unsigned int allowed, void* payload) {
  const FetchOptions* o = static_cast<const FetchOptions*>(payload);
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) == 0 || o->ssh_key.empty()) return GIT_PASSTHROUGH;
  std::string pub = o->ssh_public_key.empty() ? o->ssh_key + ".pub" : o->ssh_public_key;
  return git_credential_ssh_key_new(out, user_from_url != nullptr ? user_from_url : "git",
                                    pub.c_str(), o->ssh_key.c_str(), nullptr);
}

}  // namespace

Result<std::string> Repo::FetchBranch(const std::string& remote, const std::string& branch,
                                      const FetchOptions& options) const {
  if (!options.ca_file.empty()) {
    // libgit2 keeps one trust store per process; cairn has one remote per run.
    int rc = git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, options.ca_file.c_str(), nullptr);
    if (rc != 0) return GitError("cannot use CA file " + options.ca_file, rc);
  }
  git_remote* r = nullptr;
  int rc = git_remote_lookup(&r, repo_, remote.c_str());
  if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
    rc = git_remote_create_anonymous(&r, repo_, remote.c_str());
  if (rc != 0) return GitError("cannot use remote '" + remote + "'", rc);
  RemoteHandle owned(r);
  std::string local_ref = "refs/cairn/watch/" + branch;
  std::string spec = "+refs/heads/" + branch + ":" + local_ref;
  char* specs[] = {spec.data()};
  git_strarray refspecs = {specs, 1};
  git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
  fo.callbacks.credentials = Credentials;
  fo.callbacks.payload = const_cast<FetchOptions*>(&options);
  fo.prune = GIT_FETCH_NO_PRUNE;
  fo.update_fetchhead = 0;
  fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  rc = git_remote_fetch(r, &refspecs, &fo, "cairn watch");
  if (rc != 0) return GitError("cannot fetch " + branch + " from " + remote, rc);
  git_oid oid;
  rc = git_reference_name_to_id(&oid, repo_, local_ref.c_str());
  if (rc != 0) return GitError("the remote " + remote + " has no branch '" + branch + "'", rc);
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return std::string(buf);
}

}  // namespace cairn::git
