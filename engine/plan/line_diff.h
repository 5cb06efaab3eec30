// Line-by-line difference of two texts, for showing edits to multi-line strings.
#pragma once

#include <string>
#include <vector>

namespace cairn::plan {

/// One line of a line diff: op is ' ' (kept), '-' (removed) or '+' (added).
struct LineEdit {
  char op;
  std::string text;
};

/// A shortest edit script from `before` to `after` (longest common subsequence). Very long texts
/// fall back to "all removed, all added" to bound the cost.
std::vector<LineEdit> DiffLines(const std::vector<std::string>& before,
                                const std::vector<std::string>& after);

}  // namespace cairn::plan
