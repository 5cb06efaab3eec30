// Confinement of host.fs paths to one folder (the provider's output directory).
#pragma once

#include <string>

#include "engine/base/status.h"

namespace cairn::lua {

/// A plugin-supplied relative path that passed the confinement checks, resolved under the root.
struct ConfinedPath {
  std::string abs;      // root + "/" + the cleaned relative path
  std::string rel;      // the cleaned relative path ("" for the root itself)
  bool exists = false;  // whether something (file, folder) is there now
};

/// Checks `rel` against `root` (an absolute folder): the path must be relative, must not contain
/// "..", and every part of it that exists must resolve (symlinks followed) to a place inside the
/// root; a symlink that points nowhere is refused too, since writing through it could create a
/// file elsewhere. The check is made when called: a concurrent change of the tree is not guarded
/// against (plugins do not share their output folder with hostile processes).
Result<ConfinedPath> Confine(const std::string& root, const std::string& rel);

/// "0644" -> 0644. Accepts 3 or 4 octal digits; anything else is an error naming the mode.
Result<unsigned> ParseMode(const std::string& mode);
/// 0644 -> "0644".
std::string FormatMode(unsigned mode);

}  // namespace cairn::lua
