// Diagnostics: errors and warnings collected across a stage and rendered with their source line.
#pragma once

#include <string>
#include <vector>

#include "engine/base/source.h"
#include "engine/base/status.h"

namespace cairn {

enum class Severity { kError, kWarning };

/// One problem found in the user's input or reported by a provider.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string summary;  // one line: what is wrong
  std::string detail;   // optional further lines
  std::string hint;     // what to do, e.g. "did you mean 'ssd'?"
  SourceLoc loc;        // where, when known
  std::string path;     // blueprint path, e.g. "apps[2].volumes[0].tier"
  std::string address;  // resource address, when about a resource
};

/// An ordered list of diagnostics; stages append to it so a user sees every problem at once.
class Diagnostics {
 public:
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Error(const SourceLoc& loc, std::string path, std::string summary, std::string hint = "");
  void Warning(const SourceLoc& loc, std::string path, std::string summary, std::string hint = "");
  /// Adds a failed Status as an error (its hint kept); does nothing for an ok Status.
  void AddStatus(const Status& s, const std::string& address = "");
  void Append(const Diagnostics& other);

  bool has_errors() const;
  size_t error_count() const;
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const std::vector<Diagnostic>& items() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
};

/// Renders in the compiler style:
///   file:line:col: error: path: summary
///      12 |     tier: sdd
///         |           ^~~
///     hint: did you mean 'ssd'?
std::string RenderDiagnostic(const Diagnostic& d, bool color);
/// All diagnostics, each followed by a blank line.
std::string RenderDiagnostics(const Diagnostics& ds, bool color);

}  // namespace cairn
