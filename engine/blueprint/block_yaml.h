// A fast reader for the block-style subset of YAML that most blueprints are written in.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/base/value.h"
#include "engine/blueprint/key_locations.h"

namespace cairn::blueprint {

/// Reads `text` when it uses only block mappings and block sequences, single-line plain and
/// quoted scalars and comments (ASCII, spaces for indentation, a final newline), and produces
/// the same tree, value positions and key positions as the full YAML reader. yaml-cpp needs
/// about ten times longer for such files, and large generated blueprints are written this way.
///
/// Returns false on anything else (anchors, tags, flow collections, block scalars, multi-line
/// scalars, duplicate or merge keys, documents, errors); `root` and `keys` are then to be
/// discarded and the caller reads the text with the full reader, which reports every error.
bool ReadBlockYaml(std::string_view text, uint32_t file, Value* root, KeyLocations* keys);

}  // namespace cairn::blueprint
