#include "engine/plan/line_diff.h"

#include <algorithm>
#include <cstdint>

namespace cairn::plan {
namespace {

// Above this many cells the LCS table costs more than the diff is worth.
constexpr size_t kMaxCells = 4'000'000;

}  // namespace

std::vector<LineEdit> DiffLines(const std::vector<std::string>& before,
                                const std::vector<std::string>& after) {
  std::vector<LineEdit> out;
  // Common prefix and suffix need no table.
  size_t pre = 0;
  while (pre < before.size() && pre < after.size() && before[pre] == after[pre]) ++pre;
  size_t suf = 0;
  while (suf < before.size() - pre && suf < after.size() - pre &&
         before[before.size() - 1 - suf] == after[after.size() - 1 - suf])
    ++suf;
  for (size_t i = 0; i < pre; ++i) out.push_back({' ', before[i]});
  const size_t n = before.size() - pre - suf;
  const size_t m = after.size() - pre - suf;
  if ((n + 1) * (m + 1) > kMaxCells) {
    for (size_t i = 0; i < n; ++i) out.push_back({'-', before[pre + i]});
    for (size_t j = 0; j < m; ++j) out.push_back({'+', after[pre + j]});
  } else {
    // lcs[i][j]: length of the common subsequence of before[i..] and after[j..].
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = before[pre + i] == after[pre + j] ? at(i + 1, j + 1) + 1
                                                     : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && before[pre + i] == after[pre + j]) {
        out.push_back({' ', before[pre + i]});
        ++i;
        ++j;
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        out.push_back({'-', before[pre + i]});
        ++i;
      } else {
        out.push_back({'+', after[pre + j]});
        ++j;
      }
    }
  }
  for (size_t k = before.size() - suf; k < before.size(); ++k) out.push_back({' ', before[k]});
  return out;
}

}  // namespace cairn::plan
