#include "engine/blueprint/suggest.h"

#include <algorithm>
#include <cctype>

namespace cairn::blueprint {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

size_t CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && Lower(a[n]) == Lower(b[n])) ++n;
  return n;
}

}  // namespace

size_t TypoDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: Levenshtein plus adjacent transposition, case-insensitive.
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) &&
          Lower(a[i - 2]) == Lower(b[j - 1]))
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::string Suggest(std::string_view word, const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, word.size() / 3);
  std::string best;
  size_t best_distance = limit + 1, best_prefix = 0;
  for (const std::string& c : candidates) {
    size_t d = TypoDistance(word, c);
    if (d >= std::min(word.size(), c.size())) continue;  // "c" is no typo of "a"
    size_t prefix = CommonPrefix(word, c);
    if (d < best_distance || (d == best_distance && prefix > best_prefix)) {
      best = c;
      best_distance = d;
      best_prefix = prefix;
    }
  }
  return best;
}

std::string SuggestHint(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = Suggest(word, candidates);
  return best.empty() ? "" : "did you mean '" + best + "'?";
}

}  // namespace cairn::blueprint
