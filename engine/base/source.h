// Source positions: which file, line and column a blueprint value came from.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cairn {

/// A 1-based position in a registered source file; line 0 means "no position".
struct SourceLoc {
  uint32_t file = 0;  // id from SourceFiles::Add
  uint32_t line = 0;
  uint32_t col = 0;
  bool valid() const { return line != 0; }
  bool operator==(const SourceLoc&) const = default;
};

/// Process-wide registry of loaded source texts, so diagnostics can quote the offending line.
class SourceFiles {
 public:
  /// Registers a file's text and returns its id (ids start at 1). Thread-safe.
  static uint32_t Add(std::string name, std::string text);
  /// The name given to Add, or "" for an unknown id.
  static std::string Name(uint32_t id);
  /// One line (1-based) of the file without its newline, or "" when out of range.
  static std::string Line(uint32_t id, uint32_t line);
  /// "file:line:col", or "" when loc is not valid.
  static std::string Format(const SourceLoc& loc);
};

}  // namespace cairn
