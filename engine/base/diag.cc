#include "engine/base/diag.h"

#include <sstream>

#include "engine/base/term.h"

namespace cairn {

void Diagnostics::Error(const SourceLoc& loc, std::string path, std::string summary,
                        std::string hint) {
  Diagnostic d;
  d.severity = Severity::kError;
  d.loc = loc;
  d.path = std::move(path);
  d.summary = std::move(summary);
  d.hint = std::move(hint);
  items_.push_back(std::move(d));
}

void Diagnostics::Warning(const SourceLoc& loc, std::string path, std::string summary,
                          std::string hint) {
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.loc = loc;
  d.path = std::move(path);
  d.summary = std::move(summary);
  d.hint = std::move(hint);
  items_.push_back(std::move(d));
}

void Diagnostics::AddStatus(const Status& s, const std::string& address) {
  if (s.ok()) return;
  Diagnostic d;
  d.summary = s.message();
  d.hint = s.hint();
  d.address = address;
  items_.push_back(std::move(d));
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  size_t n = 0;
  for (const Diagnostic& d : items_)
    if (d.severity == Severity::kError) ++n;
  return n;
}

std::string RenderDiagnostic(const Diagnostic& d, bool color) {
  Style st(color);
  std::ostringstream out;
  std::string where = SourceFiles::Format(d.loc);
  if (!where.empty()) out << st.Bold(where) << ": ";
  out << (d.severity == Severity::kError ? st.Red("error") : st.Yellow("warning")) << ": ";
  if (!d.address.empty()) out << d.address << ": ";
  if (!d.path.empty()) out << d.path << ": ";
  out << d.summary << "\n";
  if (d.loc.valid()) {
    std::string line = SourceFiles::Line(d.loc.file, d.loc.line);
    if (!line.empty()) {
      std::string num = std::to_string(d.loc.line);
      std::string pad(num.size() + 1, ' ');
      out << " " << num << " | " << line << "\n";
      size_t col = d.loc.col == 0 ? 0 : d.loc.col - 1;
      size_t len = 0;
      while (col + len < line.size() && line[col + len] != ' ' && line[col + len] != '\t') ++len;
      std::string marker = "^" + std::string(len > 1 ? len - 1 : 0, '~');
      out << pad << " | " << std::string(col, ' ') << st.Green(marker) << "\n";
    }
  }
  if (!d.detail.empty()) out << "  " << d.detail << "\n";
  if (!d.hint.empty()) out << "  " << st.Cyan("hint") << ": " << d.hint << "\n";
  return out.str();
}

std::string RenderDiagnostics(const Diagnostics& ds, bool color) {
  std::string out;
  for (const Diagnostic& d : ds.items()) {
    out += RenderDiagnostic(d, color);
    out += "\n";
  }
  return out;
}

}  // namespace cairn
