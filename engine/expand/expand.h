// Expansion: turns a validated blueprint into the desired resources of one run.
//
// Providers' `expand` functions read the whole blueprint and emit resources; the blueprint's
// `resources:` section adds more. Every desired resource is checked against its type's schema
// here (unknown or missing attributes, wrong types), defaults are filled in, and `${secrets.X}`
// references are replaced by the (sensitive) secret. References between resources stay in place
// for the planner, but a reference to an address nobody declares is reported here, with its
// position.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "engine/base/diag.h"
#include "engine/base/value.h"
#include "engine/blueprint/blueprint.h"
#include "engine/provider/provider.h"

namespace cairn::expand {

/// Lends each loaded provider the blueprint (Provider::SetBlueprint: `bp` must outlive the
/// providers' calls) and configures it with its `providers.<name>` settings from the blueprint,
/// after checking them against the provider's config schema (defaults applied). `${secrets.X}`
/// in the settings is replaced by the (sensitive) secret from `secrets` when one is given.
/// With `only`, just those providers are configured (loaded later than the others).
void ConfigureProviders(const blueprint::Blueprint& bp, provider::Registry& providers,
                        Diagnostics* diags, const Value& secrets = Value(),
                        const std::set<std::string>* only = nullptr);

/// The desired resources: all providers' expansions, then `resources:`; duplicates are errors.
std::vector<provider::DesiredResource> Expand(const blueprint::Blueprint& bp, const Value& secrets,
                                              provider::Registry& providers, Diagnostics* diags);

/// Checks `attrs` against `schema` and fills defaults; problems are reported at the attribute's
/// key (from `key_locs`, else the value) with a did-you-mean hint.
Value CheckAttributes(Value attrs, const std::map<std::string, provider::Attribute>& schema,
                      const std::string& what, const SourceLoc& fallback_loc,
                      const std::map<std::string, SourceLoc>& key_locs, bool allow_id,
                      Diagnostics* diags);

}  // namespace cairn::expand
