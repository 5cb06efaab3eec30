// Did-you-mean suggestions tuned for blueprint names, keys and enum values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cairn::blueprint {

/// Edit distance where swapping two neighbouring characters counts as one edit ("imgae").
size_t TypoDistance(std::string_view a, std::string_view b);

/// The candidate `word` is most likely a typo of, or "" when none is close: at most one edit
/// per three characters (at least one), never rewriting a whole short word, ties going to the
/// candidate sharing the longest prefix ("sdd" -> "ssd" rather than "hdd").
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates);

/// "did you mean 'x'?" for Suggest's answer, or "".
std::string SuggestHint(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace cairn::blueprint
