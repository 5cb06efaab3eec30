// Edit distance, for "did you mean ...?" hints.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn {

/// Levenshtein distance between a and b.
size_t EditDistance(std::string_view a, std::string_view b);

/// The candidate closest to `word` if it is close enough to be a likely typo; "" otherwise.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

/// "did you mean 'x'?" for the closest candidate, or "" when none is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cairn
