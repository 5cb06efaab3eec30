// Commit signature checks: an ssh or gpg signature verified against a list of allowed signers
// by the standard tools (ssh-keygen -Y verify, gpgv), as git itself does; libgit2 only
// extracts signatures.
#pragma once

#include <string>

#include "engine/base/status.h"
#include "engine/git/repo.h"

namespace cairn::git {

/// Who may sign: an ssh allowed_signers file and/or a gpg keyring (exported public keys).
struct SignerKeys {
  std::string allowed_signers;  // ssh: "principal key-type key" lines (see ssh-keygen(1))
  std::string gpg_keyring;      // gpg: a keyring file for gpgv
};

/// Verifies `commit`'s signature; on success returns who signed it (the ssh principal, or gpg's
/// "Good signature from" name). An unsigned commit, a signature by a key not in `keys`, or a
/// signature that does not match the commit is an error saying which.
Result<std::string> VerifyCommit(const Repo& repo, const std::string& commit,
                                 const SignerKeys& keys);

}  // namespace cairn::git
