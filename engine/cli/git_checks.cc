#include "engine/cli/git_checks.h"

#include "engine/git/verify.h"
#include "engine/state/lock_info.h"

namespace cairn::cli {
namespace {

constexpr size_t kListedFiles = 20;

std::string DirtyRefusal(Session& s, const GitSource& g) {
  std::string list;
  for (size_t i = 0; i < g.changed.size() && i < kListedFiles; ++i) list += "\n    " + g.changed[i];
  if (g.changed.size() > kListedFiles)
    list += "\n    ... and " + std::to_string(g.changed.size() - kListedFiles) + " more";
  std::string why = "the work tree of " + g.repo->workdir() + " has uncommitted changes:" + list;
  s.diags().Error({}, "", why,
                  "commit them (cairn records the commit it applies), or pass --allow-dirty");
  return "uncommitted changes";
}

// Whether applying `g.commit` rolls back the live commit; "" when it does not. `error` is set
// when the repository cannot tell.
std::string RollbackOf(const GitSource& g, const std::string& live, std::string* error) {
  if (live.empty() || g.commit.id.empty() || live == g.commit.id) return "";
  Result<bool> contains = g.repo->Contains(g.commit.id, live);
  if (!contains.ok()) {
    *error = "the live commit " + live.substr(0, 12) +
             " is not in this repository, so cairn cannot tell whether " + g.commit.ShortId() +
             " rolls it back";
    return "";
  }
  if (*contains) return "";
  return "commit " + g.commit.ShortId() + " is not a descendant of the live commit " +
         live.substr(0, 12) + ": applying it rolls back what was applied since";
}

}  // namespace

std::string GitRefusal(Session& s, const GitOptions& o, const state::State& current) {
  GitSource* g = s.git();
  if (g == nullptr || !g->in_repo()) {
    if (!o.require_signed) return "";
    s.diags().Error({}, "", "--require-signed: the blueprint is not in a git repository",
                    "keep the blueprint in git and sign its commits");
    return "not in a git repository";
  }
  if (g->dirty() && !g->from_tree) {
    if (o.require_signed) {
      DirtyRefusal(s, *g);
      return "uncommitted changes (--require-signed)";
    }
    if (!o.allow_dirty) return DirtyRefusal(s, *g);
    s.diags().Warning({}, "", "applying uncommitted changes (--allow-dirty)",
                      "the history records commit " + g->commit.ShortId() + " as dirty");
  }
  if (o.require_signed) {
    git::SignerKeys keys{o.allowed_signers, o.gpg_keyring};
    if (g->commit.id.empty()) {
      s.diags().Error({}, "", "--require-signed: the repository has no commit yet");
      return "no commit";
    }
    Result<std::string> signer = git::VerifyCommit(*g->repo, g->commit.id, keys);
    if (!signer.ok()) {
      s.diags().AddStatus(signer.status());
      return "signature: " + signer.status().message();
    }
  }
  std::string error;
  std::string rollback = RollbackOf(*g, state::LastAppliedCommit(current), &error);
  if (!error.empty()) {
    if (o.allow_rollback) {
      s.diags().Warning({}, "", error, "");
      return "";
    }
    s.diags().Error({}, "", error,
                    "fetch the repository's history (git fetch), or pass --allow-rollback");
    return error;
  }
  if (rollback.empty()) return "";
  if (o.allow_rollback) {
    s.diags().Warning({}, "", rollback + " (--allow-rollback)", "");
    return "";
  }
  s.diags().Error({}, "", rollback,
                  "check out a newer commit, or pass --allow-rollback to roll back on purpose");
  return "rollback";
}

void WarnRollback(Session& s, const state::State& current) {
  GitSource* g = s.git();
  if (g == nullptr || !g->in_repo()) return;
  std::string error;
  std::string rollback = RollbackOf(*g, state::LastAppliedCommit(current), &error);
  if (!error.empty()) s.diags().Warning({}, "", error, "");
  if (!rollback.empty()) s.diags().Warning({}, "", rollback, "apply will need --allow-rollback");
}

nlohmann::json GitJson(Session& s) {
  GitSource* g = s.git();
  if (g == nullptr || !g->in_repo()) return nullptr;
  return {{"commit", g->commit.id}, {"dirty", g->dirty() && !g->from_tree}};
}

state::ApplyRecord NewApplyRecord(Session& s, const ApplyReport& counts,
                                  const std::string& operation, uint64_t serial,
                                  const std::string& result) {
  state::ApplyRecord r;
  r.serial = serial;
  r.time = state::NowRfc3339();
  r.user = state::NewLockInfo(operation).who;
  r.operation = operation;
  if (GitSource* g = s.git(); g != nullptr) {
    r.commit = g->commit.id;
    r.dirty = g->dirty() && !g->from_tree;
  }
  r.added = counts.added;
  r.changed = counts.changed;
  r.replaced = counts.replaced;
  r.deleted = counts.deleted;
  r.result = result;
  return r;
}

}  // namespace cairn::cli
