// Host-key verification for ssh remotes against an OpenSSH known_hosts file. libgit2 1.5 accepts
// any host key unless the caller checks it, so every ssh fetch goes through CheckHostKey.
#pragma once

#include <string>

#include "engine/base/status.h"

namespace cairn::git {

/// Where an ssh remote lives: the host as written in the URL and its port (22 by default).
struct SshEndpoint {
  std::string host;
  int port = 22;
};

/// The endpoint of an ssh URL (ssh://[user@]host[:port]/path, or scp-like [user@]host:path);
/// false when `url` is not an ssh URL.
bool ParseSshEndpoint(const std::string& url, SshEndpoint* out);

/// The name known_hosts files use for an endpoint: "host", or "[host]:port" off port 22.
std::string KnownHostsName(const SshEndpoint& e);

/// "ssh-ed25519 SHA256:..." for a host key blob (the SSH wire format), as ssh-keygen -l shows.
std::string HostKeyFingerprint(const std::string& key_blob);

/// Ok when `known_hosts` (an OpenSSH known_hosts file: plain or hashed host names, patterns,
/// @revoked) lists `key_blob` for `e`; otherwise why not, with a hint: the host is unknown, its
/// key differs from the one recorded, the key is revoked, or the file cannot be read.
Status CheckHostKey(const std::string& known_hosts, const SshEndpoint& e,
                    const std::string& key_blob);

}  // namespace cairn::git
