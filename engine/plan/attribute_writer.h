// Plan text for a resource's attributes: every value of an object created, destroyed or shown,
// or the attribute-level diff of an update, written straight into the plan's string.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/term.h"
#include "engine/base/value.h"

namespace cairn::plan {

/// What a plan's lines are drawn with, coloured once per plan rather than once per line.
struct Palette {
  explicit Palette(const Style& style);

  /// Spaces, the glyph ('+', '-', '~', anything else: none) and a space: a line of indent n
  /// starts with the last n + 2 (+ the glyph's colour) characters.
  const std::string& Lead(char glyph) const;
  /// The glyph and the space after it.
  std::string_view Glyph(char glyph) const;

  const Style& st;
  std::string plus, minus, tilde, blank;  // see Lead
  std::string forces_replacement;         // " # forces replacement"
  std::string heading_open;               // "  # " in bold, before an address
  std::string heading_close;              // the end of the bold, and a space
};

/// Writes the attributes of one resource into `out`. Knows which paths are sensitive (never
/// shown) and which attributes force replacement. Each attribute is one line ("glyph key =
/// value") plus the lines that continue it (nested values, heredocs); the keys of one level
/// are padded to the same width.
class AttributeWriter {
 public:
  AttributeWriter(const Palette& pal, const std::vector<std::string>& sensitive,
                  const std::vector<std::string>& replace, std::string* out);

  /// A whole object (glyph '+' or '-') when one side is null, otherwise the diff with
  /// unchanged attributes counted and hidden.
  void Attributes(const Value& before, const Value& after, int indent);
  /// A state view: every attribute, no glyphs.
  void Plain(const Value& attrs, int indent);

 private:
  bool Sensitive(const std::string& path, const Value* v) const;
  std::string ChildKey(const std::string& path, const std::string& key) const;
  std::string ChildIndex(const std::string& path, size_t index) const;

  void Spaces(int n);
  void Start(int indent, char glyph, const std::string& key, size_t width);
  void Quoted(std::string_view s);
  void End(std::string_view note, bool list_item);
  void Open(const char* opener, std::string_view note);
  void Close(int indent, const char* closer, bool to_null);
  void Hidden(int indent, size_t hidden, const char* one, const char* many);
  void Inline(const Value& v, const std::string& path);
  void Heredoc(std::string_view text, int indent);

  void WholeMap(const Value& attrs, char glyph, int indent, bool to_null);
  void Whole(const std::string& key, const std::string& path, const Value& v, char glyph,
             int indent, bool to_null, size_t width, std::string_view note);
  void MapDiff(const Value& before, const Value& after, const std::string& path, int indent,
               bool show_id, size_t* hidden);
  void Diff(const std::string& key, const std::string& path, const Value* b, const Value* a,
            int indent, size_t width, std::string_view note);

  const Palette& pal_;
  const std::set<std::string> sensitive_;
  const std::set<std::string> replace_;
  std::string& out_;
};

}  // namespace cairn::plan
