// Field ownership for server-side apply: which manager set which field (metadata.managedFields).
//
// Simplified but consistent: a field path is a list of map keys; leaves are scalars, lists (all
// lists are atomic) and empty maps. FieldsV1 uses "f:<key>" entries only. Top-level apiVersion,
// kind and status and metadata other than labels, annotations, finalizers and ownerReferences
// are never owned.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/emulators/kube/api_status.h"

namespace cairn::emulators {

using FieldPath = std::vector<std::string>;
using FieldSet = std::set<FieldPath>;

/// One entry of metadata.managedFields.
struct ManagerEntry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version;
  std::string time;  // RFC 3339
  FieldSet fields;
};

/// ".spec.replicas": how conflicts name a field.
std::string FieldPathString(const FieldPath& path);
/// The ownable leaf fields of an object.
FieldSet LeafFields(const nlohmann::json& object);
nlohmann::json ToFieldsV1(const FieldSet& fields);
FieldSet FromFieldsV1(const nlohmann::json& fields_v1);

std::vector<ManagerEntry> ReadManagedFields(const nlohmann::json& object);
/// Writes the entries (dropping those that own nothing) into metadata.managedFields.
void WriteManagedFields(nlohmann::json* object, const std::vector<ManagerEntry>& entries);

/// The outcome of a server-side apply.
struct ApplyOutcome {
  nlohmann::json object;               // the new live object, managedFields updated
  std::vector<StatusCause> conflicts;  // non-empty: nothing was changed
  std::string conflict_message;        // "Apply failed with 1 conflict: ..."
};

/// Applies `config` (the caller's whole intent) on top of `live` (null when absent) as
/// `manager`. Fields other managers own with a different value conflict unless `force`, which
/// moves them; fields the manager applied before and omits now are removed unless another
/// manager owns them.
ApplyOutcome ServerSideApply(const nlohmann::json& live, nlohmann::json config,
                             const std::string& manager, const std::string& api_version, bool force,
                             const std::string& now);

/// Records a non-apply write (create, update, patch) by `manager`: fields it changed become its
/// own and are taken from other managers; fields that disappeared are owned by nobody.
void RecordUpdate(const nlohmann::json& old_object, nlohmann::json* new_object,
                  const std::string& manager, const std::string& api_version,
                  const std::string& now);

/// JSON merge patch (RFC 7386): null deletes, maps merge, everything else replaces.
void MergePatch(nlohmann::json* target, const nlohmann::json& patch);

}  // namespace cairn::emulators
