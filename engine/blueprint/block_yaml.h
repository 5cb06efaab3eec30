// A fast reader for the block-style subset of YAML that most blueprints are written in.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/base/value.h"
#include "engine/blueprint/key_locations.h"

namespace cairn::blueprint {

/// Reads `text` when it uses only block mappings and block sequences, single-line plain and
/// quoted scalars, flow mappings and flow sequences that open and close on one line (as in
/// `manifest: {"kind": "ConfigMap", "data": {"a": "1"}}` or `depends_on: [a.b.c]`) and
/// comments (ASCII, spaces for indentation, a final newline), and produces the same tree, value
/// positions and key positions as the full YAML reader. yaml-cpp needs about ten times longer
/// for such files, and large generated blueprints are written this way.
///
/// Returns false on anything else (anchors, tags, block scalars, multi-line scalars or flow
/// collections, duplicate, complex or merge keys, pairs in flow sequences, empty flow entries
/// or values, documents, errors); `root` and `keys` are then to be discarded and the caller
/// reads the text with the full reader, which reports every error.
bool ReadBlockYaml(std::string_view text, uint32_t file, Value* root, KeyLocations* keys);

}  // namespace cairn::blueprint
