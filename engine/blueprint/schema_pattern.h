// SchemaPattern: a JSON Schema `pattern` compiled once and matched many times.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace cairn::blueprint {

/// A compiled `pattern` / `patternProperties` regular expression, searched (not anchored) as
/// JSON Schema specifies. RE2 does the matching: it runs in time linear in the input, so a long
/// value cannot overflow the stack or hang validation the way a backtracking engine can, it reads
/// the input as UTF-8 code points as JSON Schema counts them, and its dialect is the one
/// Kubernetes itself validates CRD patterns with (Go's regexp). Patterns that only ECMAScript
/// understands (lookahead, backreferences) fall back to std::regex.
class SchemaPattern {
 public:
  /// Compiles `text`; nullptr with `error` set when neither engine accepts it.
  static std::unique_ptr<SchemaPattern> Compile(const std::string& text, std::string* error);
  ~SchemaPattern();

  /// Whether the pattern matches anywhere in `s`.
  bool Search(std::string_view s) const;
  /// Whether the linear-time engine serves this pattern (false: the ECMAScript fallback).
  bool linear_time() const { return re2_ != nullptr; }

 private:
  SchemaPattern() = default;
  std::unique_ptr<re2::RE2> re2_;
  std::unique_ptr<std::regex> ecmascript_;
};

}  // namespace cairn::blueprint
