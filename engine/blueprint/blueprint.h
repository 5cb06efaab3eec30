// The blueprint stage: load the user's YAML file with positions, validate it, resolve secrets.
#pragma once

#include <string>

#include "engine/base/diag.h"
#include "engine/base/value.h"
#include "engine/blueprint/key_locations.h"

namespace cairn::blueprint {

/// A loaded blueprint: the YAML tree as a Value whose every node has its SourceLoc (1-based
/// line:col of the value), plus the positions of mapping keys in `key_locs`.
///
/// Move-only: `key_locs` is keyed by the nodes inside `root`, which a copy would not share.
struct Blueprint {
  std::string path;  // as given to LoadFile (or the name given to LoadString)
  std::string dir;   // directory of the file, absolute; relative file: secrets resolve here
  Value root;
  KeyLocations key_locs;
};

/// Reads and parses a YAML file. A syntax error becomes a diagnostic with file:line:col;
/// duplicate keys in a mapping are an error too. Registers the text in SourceFiles.
/// Returns false (with diagnostics) when the file cannot be read or parsed.
bool LoadFile(const std::string& path, Blueprint* out, Diagnostics* diags);
/// Which YAML reader LoadString uses. kAuto tries the fast block-subset reader (block_yaml.h)
/// and falls back to yaml-cpp; kFull is yaml-cpp alone (tests compare the two).
enum class YamlReader { kAuto, kFull };

/// As LoadFile, for text already in memory; `name` is used in positions and for `dir`.
bool LoadString(const std::string& name, const std::string& text, Blueprint* out,
                Diagnostics* diags, YamlReader reader = YamlReader::kAuto);

/// Validates against the embedded schema plus semantic checks (unique names, storage tiers
/// that exist, secrets that are declared, ...); appends ALL problems, sorted by position.
void Validate(const Blueprint& bp, Diagnostics* diags);

/// Resolves the `secrets:` section (env:NAME, file:PATH relative to bp.dir) into a map
/// name -> sensitive string Value (loc = where the reference was written). A missing
/// environment variable or unreadable file is an error diagnostic with position. One trailing
/// newline of a secret file is dropped, as editors add it.
Value ResolveSecrets(const Blueprint& bp, Diagnostics* diags);

/// The blueprint JSON Schema compiled into the binary, parsed once.
const Value& EmbeddedSchema();

}  // namespace cairn::blueprint
