#include "engine/plan/attribute_writer.h"

#include <algorithm>
#include <array>

#include "engine/plan/line_diff.h"

namespace cairn::plan {
namespace {

bool IsMultiline(const Value& v) {
  return v.is_string() && v.AsString().find('\n') != std::string::npos;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n') {
      out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// Which bytes a key may consist of to be shown unquoted (ASCII letters, digits, '_', '-').
constexpr std::array<bool, 256> kBareChars = [] {
  std::array<bool, 256> bare{};
  for (int c = 0; c < 256; ++c)
    bare[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
  return bare;
}();

bool IsBareKey(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!kBareChars[static_cast<unsigned char>(c)]) return false;
  return true;
}

// Whether Value::ToString shows the string `s` as itself in quotes: without any of the
// characters it escapes (the plan test "StringsReadAsValuesShowThem" keeps the two in step).
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> escaped{};
  for (char c : {'"', '\\', '\n', '\t'}) escaped[static_cast<unsigned char>(c)] = true;
  return escaped;
}();

bool QuotesAsIs(std::string_view s) {
  for (char c : s)
    if (kEscaped[static_cast<unsigned char>(c)]) return false;
  return true;
}

// The width a key takes on its line: 0 for "" (shown as a list item), quoted unless bare.
size_t KeyWidth(const std::string& k) {
  if (k.empty()) return 0;
  if (IsBareKey(k)) return k.size();
  return QuotesAsIs(k) ? k.size() + 2 : Value(k).ToString().size();
}

// Enough spaces for the indents and key paddings seen in practice; deeper or wider ones are
// written in two steps.
constexpr size_t kMaxSpaces = 64;
constexpr std::string_view kSpaces =
    "                                                                ";
static_assert(kSpaces.size() == kMaxSpaces);
// A key's padding and the " = " after it, as one piece of kPadEquals's end.
constexpr std::string_view kPadEquals =
    "                                                                 = ";

// An attribute of a map diff that is shown: unchanged (the top-level id) or changed.
struct Row {
  const std::string* key;
  const Value* before;
  const Value* after;
  bool same;
};

// kMaxSpaces spaces, the glyph and a space.
std::string LeadOf(const std::string& glyph) { return std::string(kSpaces) + glyph + " "; }

}  // namespace

Palette::Palette(const Style& style)
    : st(style),
      plus(LeadOf(st.Green("+"))),
      minus(LeadOf(st.Red("-"))),
      tilde(LeadOf(st.Yellow("~"))),
      blank(LeadOf(" ")),
      forces_replacement(" " + st.Red("# forces replacement")) {
  // A heading is "  " + Bold("# " + address) + " ": the pieces around the address.
  const std::string bold = st.Bold("#");
  const size_t hash = bold.find('#');
  heading_open = "  " + bold.substr(0, hash + 1) + " ";
  heading_close = bold.substr(hash + 1) + " ";
}

const std::string& Palette::Lead(char glyph) const {
  switch (glyph) {
    case '+': return plus;
    case '-': return minus;
    case '~': return tilde;
    default: return blank;
  }
}

std::string_view Palette::Glyph(char glyph) const {
  return std::string_view(Lead(glyph)).substr(kMaxSpaces);
}

AttributeWriter::AttributeWriter(const Palette& pal, const std::vector<std::string>& sensitive,
                                 const std::vector<std::string>& replace, std::string* out)
    : pal_(pal),
      sensitive_(sensitive.begin(), sensitive.end()),
      replace_(replace.begin(), replace.end()),
      out_(*out) {}

void AttributeWriter::Attributes(const Value& before, const Value& after, int indent) {
  size_t hidden = 0;
  if (before.is_null() && after.is_map()) {
    WholeMap(after, '+', indent, /*to_null=*/false);
  } else if (after.is_null() && before.is_map()) {
    WholeMap(before, '-', indent, /*to_null=*/true);
  } else {
    MapDiff(before, after, std::string(), indent, /*show_id=*/true, &hidden);
  }
  if (hidden > 0) Hidden(indent + 2, hidden, "attribute", "attributes");
}

void AttributeWriter::Plain(const Value& attrs, int indent) {
  if (attrs.is_map()) WholeMap(attrs, ' ', indent, /*to_null=*/false);
}

bool AttributeWriter::Sensitive(const std::string& path, const Value* v) const {
  return (v != nullptr && v->sensitive) || (!sensitive_.empty() && sensitive_.count(path) != 0);
}

// Paths serve only to look up sensitive ones: without any, none are built (a plan of
// thousands of creates would otherwise make a string for every value it shows).
std::string AttributeWriter::ChildKey(const std::string& path, const std::string& key) const {
  return sensitive_.empty() ? std::string() : PathKey(path, key);
}

std::string AttributeWriter::ChildIndex(const std::string& path, size_t index) const {
  return sensitive_.empty() ? std::string() : PathIndex(path, index);
}

void AttributeWriter::Spaces(int n) {
  const size_t count = static_cast<size_t>(std::max(n, 0));
  if (count <= kMaxSpaces)
    out_.append(kSpaces.data(), count);
  else
    out_.append(count, ' ');
}

// "glyph key<pad> = " or, for a list item (no key), "glyph ".
void AttributeWriter::Start(int indent, char glyph, const std::string& key, size_t width) {
  const std::string& lead = pal_.Lead(glyph);
  if (indent >= 0 && static_cast<size_t>(indent) <= kMaxSpaces) {
    out_.append(lead, kMaxSpaces - static_cast<size_t>(indent), std::string::npos);
  } else {
    Spaces(indent);
    out_.append(lead, kMaxSpaces, std::string::npos);
  }
  if (key.empty()) return;
  size_t shown = key.size();
  if (IsBareKey(key)) {
    out_ += key;
  } else if (QuotesAsIs(key)) {
    Quoted(key);
    shown += 2;
  } else {
    std::string quoted = Value(key).ToString();
    out_ += quoted;
    shown = quoted.size();
  }
  const size_t pad = width > shown ? width - shown : 0;
  if (pad <= kMaxSpaces) {
    out_.append(kPadEquals.data() + kMaxSpaces - pad, pad + 3);
  } else {
    Spaces(static_cast<int>(pad));
    out_ += " = ";
  }
}

void AttributeWriter::Quoted(std::string_view s) {
  out_ += '"';
  out_ += s;
  out_ += '"';
}

// Ends a one-line value: the replacement note, a list item's comma, the newline.
void AttributeWriter::End(std::string_view note, bool list_item) {
  if (!note.empty()) out_ += note;
  out_ += list_item ? std::string_view(",\n") : std::string_view("\n");
}

// Ends the first line of a value that continues on the next lines ("{", "[", "<<-EOT").
void AttributeWriter::Open(const char* opener, std::string_view note) {
  out_ += opener;
  out_ += note;
  out_ += '\n';
}

void AttributeWriter::Close(int indent, const char* closer, bool to_null) {
  Spaces(indent);
  out_ += closer;
  if (to_null) out_ += " -> null";
  out_ += '\n';
}

void AttributeWriter::Hidden(int indent, size_t hidden, const char* one, const char* many) {
  Spaces(indent);
  out_ += pal_.st.Dim("# (" + std::to_string(hidden) + " unchanged " + (hidden == 1 ? one : many) +
                      " hidden)");
  out_ += '\n';
}

void AttributeWriter::Inline(const Value& v, const std::string& path) {
  if (Sensitive(path, &v) || ((v.is_map() || v.is_list()) && v.ContainsSensitive())) {
    out_ += "(sensitive)";
  } else if (v.is_unknown()) {
    out_ += "(known after apply)";
  } else if (v.is_string() && QuotesAsIs(v.AsString())) {
    // Most values are such strings: written in place rather than through a temporary.
    Quoted(v.AsString());
  } else {
    out_ += v.ToString();
  }
}

// The top-level attributes of an object created, destroyed or shown, nulls left out.
void AttributeWriter::WholeMap(const Value& attrs, char glyph, int indent, bool to_null) {
  size_t width = 0;
  for (const auto& [k, v] : attrs.AsMap())
    if (!v.is_null()) width = std::max(width, KeyWidth(k));
  for (const auto& [k, v] : attrs.AsMap())
    if (!v.is_null()) Whole(k, k, v, glyph, indent, to_null, width, {});
}

// A value shown in full with one glyph: created, destroyed or unchanged.
void AttributeWriter::Whole(const std::string& key, const std::string& path, const Value& v,
                            char glyph, int indent, bool to_null, size_t width,
                            std::string_view note) {
  Start(indent, glyph, key, width);
  const bool list_item = key.empty();
  if (Sensitive(path, &v) || v.is_unknown()) {
    Inline(v, path);
    if (to_null) out_ += " -> null";
    End(note, list_item);
    return;
  }
  if (v.is_map() && v.size() > 0) {
    Open("{", note);
    size_t inner = 0;
    for (const auto& [k, item] : v.AsMap()) inner = std::max(inner, KeyWidth(k));
    for (const auto& [k, item] : v.AsMap())
      Whole(k, ChildKey(path, k), item, glyph, indent + 4, false, inner, {});
    Close(indent + 2, "}", to_null);
    return;
  }
  if (v.is_list() && v.size() > 0) {
    Open("[", note);
    const Value::List& items = v.AsList();
    for (size_t i = 0; i < items.size(); ++i)
      Whole(std::string(), ChildIndex(path, i), items[i], glyph, indent + 4, false, 0, {});
    Close(indent + 2, "]", to_null);
    return;
  }
  if (IsMultiline(v)) {
    Open("<<-EOT", note);
    Heredoc(v.AsString(), indent + 4);
    Close(indent + 2, "EOT", to_null);
    return;
  }
  Inline(v, path);
  if (to_null) out_ += " -> null";
  End(note, list_item);
}

// The lines of a multi-line string, each indented; a final newline ends the last line.
void AttributeWriter::Heredoc(std::string_view text, int indent) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    Spaces(indent);
    out_ += text.substr(0, nl);
    out_ += '\n';
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

// The diff of two maps, one line (and its continuation) per attribute that differs; equal
// ones are counted in `hidden` (except "id" at the top level, which identifies the object).
void AttributeWriter::MapDiff(const Value& before, const Value& after, const std::string& path,
                              int indent, bool show_id, size_t* hidden) {
  static const Value::Map kEmpty;
  const Value::Map& bm = before.is_map() ? before.AsMap() : kEmpty;
  const Value::Map& am = after.is_map() ? after.AsMap() : kEmpty;
  std::vector<Row> rows;
  size_t width = 0;
  auto bi = bm.begin();
  auto ai = am.begin();
  while (bi != bm.end() || ai != am.end()) {
    // Both maps are sorted by key: take the smaller key, from both when they are equal.
    const std::string* k;
    const Value* b = nullptr;
    const Value* a = nullptr;
    if (ai == am.end() || (bi != bm.end() && bi->first < ai->first)) {
      k = &bi->first;
      b = &(bi++)->second;
    } else if (bi == bm.end() || ai->first < bi->first) {
      k = &ai->first;
      a = &(ai++)->second;
    } else {
      k = &bi->first;
      b = &(bi++)->second;
      a = &(ai++)->second;
    }
    if (b != nullptr && b->is_null()) b = nullptr;
    if (a != nullptr && a->is_null()) a = nullptr;
    if (b == nullptr && a == nullptr) continue;
    const bool same = b != nullptr && a != nullptr && !a->ContainsUnknown() && *a == *b;
    if (same && !(show_id && *k == "id")) {
      ++*hidden;
      continue;
    }
    rows.push_back({k, b, a, same});
    width = std::max(width, KeyWidth(*k));
  }
  for (const Row& r : rows) {
    const std::string p = ChildKey(path, *r.key);
    if (r.same) {
      Whole(*r.key, p, *r.after, ' ', indent, false, width, {});
      continue;
    }
    const bool forces = path.empty() && !replace_.empty() && replace_.count(*r.key) != 0;
    Diff(*r.key, p, r.before, r.after, indent, width,
         forces ? std::string_view(pal_.forces_replacement) : std::string_view());
  }
}

void AttributeWriter::Diff(const std::string& key, const std::string& path, const Value* b,
                           const Value* a, int indent, size_t width, std::string_view note) {
  if (b == nullptr) return Whole(key, path, *a, '+', indent, false, width, note);
  if (a == nullptr) return Whole(key, path, *b, '-', indent, true, width, note);
  Start(indent, '~', key, width);
  const bool list_item = key.empty();
  if (Sensitive(path, b) || Sensitive(path, a)) {
    out_ += "(sensitive)";
    return End(note, list_item);
  }
  if (a->is_unknown()) {
    Inline(*b, path);
    out_ += " -> (known after apply)";
    return End(note, list_item);
  }
  if (b->is_map() && a->is_map()) {
    Open("{", note);
    size_t hidden = 0;
    MapDiff(*b, *a, path, indent + 4, false, &hidden);
    if (hidden > 0) Hidden(indent + 6, hidden, "element", "elements");
    return Close(indent + 2, "}", false);
  }
  if (b->is_list() && a->is_list()) {
    Open("[", note);
    const Value::List& bl = b->AsList();
    const Value::List& al = a->AsList();
    for (size_t i = 0; i < std::max(bl.size(), al.size()); ++i) {
      const std::string p = ChildIndex(path, i);
      const Value* bi = i < bl.size() ? &bl[i] : nullptr;
      const Value* ai = i < al.size() ? &al[i] : nullptr;
      if (bi != nullptr && ai != nullptr && !ai->ContainsUnknown() && *ai == *bi)
        Whole(std::string(), p, *ai, ' ', indent + 4, false, 0, {});
      else
        Diff(std::string(), p, bi, ai, indent + 4, 0, {});
    }
    return Close(indent + 2, "]", false);
  }
  if (b->is_string() && a->is_string() && (IsMultiline(*b) || IsMultiline(*a))) {
    Open("<<-EOT", note);
    for (const LineEdit& edit : DiffLines(SplitLines(b->AsString()), SplitLines(a->AsString()))) {
      Spaces(indent + 2);
      out_ += pal_.Glyph(edit.op);
      out_ += edit.text;
      out_ += '\n';
    }
    return Close(indent + 2, "EOT", false);
  }
  Inline(*b, path);
  out_ += " -> ";
  Inline(*a, path);
  End(note, list_item);
}

}  // namespace cairn::plan
