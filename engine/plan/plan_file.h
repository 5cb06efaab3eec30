// Saved plans (`cairn plan -out FILE`): a plan plus what it was computed from, so that
// `cairn apply FILE` applies exactly it, or refuses when the world has moved on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/value.h"
#include "engine/plan/plan.h"
#include "engine/provider/provider.h"

namespace cairn::plan {

/// A plugin a saved plan was computed with.
struct PluginVersion {
  std::string name;
  std::string version;
};

/// What a plan was computed from; two fingerprints differ exactly when the plan is stale.
struct PlanFingerprint {
  std::string lineage;                 // the prior state's lineage
  uint64_t serial = 0;                 // the prior state's serial
  std::string blueprint_sha256;        // of the blueprint file's bytes
  std::string desired_sha256;          // of the resolved desired resources (see DesiredDigest)
  std::vector<PluginVersion> plugins;  // sorted by name
};

/// A plan as written to disk, with the options it was made with.
struct PlanFile {
  static constexpr int kFormatVersion = 1;

  PlanFingerprint fingerprint;
  std::string blueprint_path;
  std::string created;  // RFC 3339 UTC
  bool refresh_only = false;
  std::vector<std::string> targets;
  std::string commit;  // git commit of the blueprint ("" outside a repository)
  bool dirty = false;  // the work tree had uncommitted changes
  Plan plan;           // changes (sensitive values included, unknowns kept), drift, refreshed state
};

/// Hex SHA-256 of `bytes`.
std::string Sha256Hex(const std::string& bytes);

/// A digest of the desired resources (addresses, types, attributes with references unresolved,
/// dependencies) in a canonical JSON form; secrets' values take part, so a rotated secret makes
/// a saved plan stale.
std::string DesiredDigest(const std::vector<provider::DesiredResource>& desired);

/// Serialises a plan file (JSON text). Sensitive values are written in clear: the file is needed
/// to apply, so it must be kept like the secrets themselves.
std::string PlanFileToJson(const PlanFile& f);
/// Parses a plan file; errors say which field is wrong or that the format is newer.
Result<PlanFile> PlanFileFromJson(const std::string& text);

/// Writes `f` to `path` with mode 0600 (replacing any older file atomically).
Status WritePlanFile(const std::string& path, const PlanFile& f);
Result<PlanFile> ReadPlanFile(const std::string& path);

/// One line per difference between the fingerprint a plan was saved with and the current one
/// ("state serial moved from 3 to 4", "plugin local version changed from 1.0.0 to 1.1.0");
/// empty when the plan still applies.
std::vector<std::string> StaleReasons(const PlanFingerprint& saved, const PlanFingerprint& now);

}  // namespace cairn::plan
