// Repo::FetchBranch: bring one branch of a remote into refs/cairn/watch/.
#include <cstdlib>

#include <git2.h>

#include "engine/git/handles.h"
#include "engine/git/known_hosts.h"
#include "engine/git/repo.h"

namespace cairn::git {
namespace {

// What the callbacks of one fetch need, and why the host key check refused, if it did.
struct FetchContext {
  const FetchOptions* options = nullptr;
  std::string known_hosts;
  SshEndpoint endpoint;
  bool key_offered = false;
  Status refusal = Status::Ok();
};

std::string PublicKey(const FetchOptions& o) {
  return o.ssh_public_key.empty() ? o.ssh_key + ".pub" : o.ssh_public_key;
}

std::string DefaultKnownHosts() {
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.ssh/known_hosts";
}

// Verifies an ssh host key against the known hosts file; TLS certificates keep libgit2's own
// verdict (GIT_PASSTHROUGH).
int CertificateCheck(git_cert* cert, int /*valid*/, const char* /*host*/, void* payload) {
  FetchContext* c = static_cast<FetchContext*>(payload);
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;
  const git_cert_hostkey* key = reinterpret_cast<const git_cert_hostkey*>(cert);
  if ((key->type & GIT_CERT_SSH_RAW) == 0) {
    c->refusal = Status::Error("the ssh host " + KnownHostsName(c->endpoint) +
                               " did not show its raw host key, so it cannot be verified");
    return GIT_ECERTIFICATE;
  }
  c->refusal =
      CheckHostKey(c->known_hosts, c->endpoint, std::string(key->hostkey, key->hostkey_len));
  return c->refusal.ok() ? 0 : GIT_ECERTIFICATE;
}

// Offers the configured key to ssh remotes, once: asked again, the server refused it. Other
// credential types are not supported.
int Credentials(git_credential** out, const char* /*url*/, const char* user_from_url,
                unsigned int allowed, void* payload) {
  FetchContext* c = static_cast<FetchContext*>(payload);
  const FetchOptions* o = c->options;
  if ((allowed & GIT_CREDENTIAL_SSH_KEY) == 0 || o->ssh_key.empty()) return GIT_PASSTHROUGH;
  std::string user = user_from_url != nullptr ? user_from_url : "git";
  if (c->key_offered) {
    c->refusal = Status::Error("the ssh server " + KnownHostsName(c->endpoint) +
                                   " refused the key " + o->ssh_key + " for " + user,
                               "add " + PublicKey(*o) + " to the authorized keys of " + user +
                                   " on the server, or pass the right --ssh-key");
    return GIT_EAUTH;
  }
  c->key_offered = true;
  return git_credential_ssh_key_new(out, user.c_str(), PublicKey(*o).c_str(), o->ssh_key.c_str(),
                                    nullptr);
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
  FetchContext context;
  context.options = &options;
  context.known_hosts = options.known_hosts.empty() ? DefaultKnownHosts() : options.known_hosts;
  const char* url = git_remote_url(r);
  ParseSshEndpoint(url != nullptr ? url : "", &context.endpoint);
  fo.callbacks.credentials = Credentials;
  fo.callbacks.certificate_check = CertificateCheck;
  fo.callbacks.payload = &context;
  fo.prune = GIT_FETCH_NO_PRUNE;
  fo.update_fetchhead = 0;
  fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  rc = git_remote_fetch(r, &refspecs, &fo, "cairn watch");
  if (!context.refusal.ok())
    return Status::Error(
        "cannot fetch " + branch + " from " + remote + ": " + context.refusal.message(),
        context.refusal.hint());
  if (rc != 0) return GitError("cannot fetch " + branch + " from " + remote, rc);
  git_oid oid;
  rc = git_reference_name_to_id(&oid, repo_, local_ref.c_str());
  if (rc != 0) return GitError("the remote " + remote + " has no branch '" + branch + "'", rc);
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return std::string(buf);
}

}  // namespace cairn::git
