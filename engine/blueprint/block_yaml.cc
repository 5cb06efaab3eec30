// ReadBlockYaml: a line-based reader for the block YAML subset; see block_yaml.h. Whenever the
// text leaves the subset it gives up, so that yaml-cpp stays the only source of YAML errors.
#include "engine/blueprint/block_yaml.h"

#include <cctype>
#include <string>
#include <vector>

#include "engine/blueprint/yaml_scalar.h"

namespace cairn::blueprint {
namespace {

/// A line with content; blank and comment-only lines are dropped when splitting.
struct Line {
  uint32_t number = 0;    // 1-based
  uint32_t indent = 0;    // leading spaces
  std::string_view text;  // the whole line, without its newline
};

bool IsSeqEntry(const Line& line, size_t col) {
  return col < line.text.size() && line.text[col] == '-' &&
         (col + 1 == line.text.size() || line.text[col + 1] == ' ');
}

size_t SkipSpaces(const Line& line, size_t col) {
  while (col < line.text.size() && line.text[col] == ' ') ++col;
  return col;
}

// Characters that give a plain scalar another meaning when they start it.
bool StartsSomethingElse(char c) {
  return std::string_view(",[]{}#&*!|>'\"%@`?:").find(c) != std::string_view::npos;
}

/// Reads one quoted scalar starting at `col` (at the quote) that ends on the same line; sets
/// `end` past the closing quote. False for escapes outside the common ones.
bool ReadQuoted(const Line& line, size_t col, std::string* out, size_t* end) {
  std::string_view t = line.text;
  char quote = t[col];
  out->clear();
  for (size_t i = col + 1; i < t.size(); ++i) {
    char c = t[i];
    if (quote == '\'') {
      if (c != '\'') {
        out->push_back(c);
      } else if (i + 1 < t.size() && t[i + 1] == '\'') {
        out->push_back('\'');
        ++i;
      } else {
        *end = i + 1;
        return true;
      }
      continue;
    }
    if (c == '"') {
      *end = i + 1;
      return true;
    }
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (++i == t.size()) return false;  // a line continuation
    static constexpr std::string_view kFrom = "\\\"/ntr0abefv ";
    static constexpr std::string_view kTo{"\\\"/\n\t\r\0\a\b\x1b\f\v ", 13};
    size_t k = kFrom.find(t[i]);
    if (k == std::string_view::npos) return false;
    out->push_back(kTo[k]);
  }
  return false;  // continues on the next line
}

/// Finds the end of a plain scalar inside a flow collection starting at `col`: it stops before
/// , ] } or a ':' that ends it; `text` gets the scalar without trailing spaces. False where
/// yaml-cpp reads the characters differently or the collection would continue on the next line.
bool ScanFlowPlain(const Line& line, size_t col, std::string_view* text) {
  std::string_view t = line.text;
  auto ends_it = [](char c) { return c == ' ' || c == ',' || c == ']' || c == '}'; };
  // A leading '-' only as in "-1", "-.5" or "-x"; "- x" and a lone "-" go to the full reader.
  if (StartsSomethingElse(t[col]) ||
      (t[col] == '-' &&
       (col + 1 == t.size() ||
        !(std::isalnum(static_cast<unsigned char>(t[col + 1])) || t[col + 1] == '.'))))
    return false;
  size_t i = col;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c == ',' || c == ']' || c == '}') break;
    if (c == '[' || c == '{' || c == '?' || (c == '#' && t[i - 1] == ' ')) return false;
    if (c != ':') continue;
    if (i + 1 == t.size() || t[i + 1] == '[' || t[i + 1] == '{') return false;
    if (ends_it(t[i + 1])) break;
  }
  if (i == t.size()) return false;
  while (t[i - 1] == ' ') --i;
  *text = t.substr(col, i - col);
  return true;
}

/// Turns text into Values; every method returns false when the text leaves the subset.
class BlockReader {
 public:
  BlockReader(std::string_view text, uint32_t file, KeyLocations* keys)
      : text_(text), file_(file), keys_(keys) {}

  bool Read(Value* root) {
    if (!SplitLines()) return false;
    size_t i = 0;
    if (!ParseBlock(&i, lines_[0].indent, root)) return false;
    return i == lines_.size();
  }

 private:
  bool SplitLines();
  bool ParseBlock(size_t* i, size_t col, Value* out);
  bool ParseMap(size_t* i, size_t col, Value* out);
  bool ParseSeq(size_t* i, size_t col, Value* out);
  bool ParseValueBelow(size_t* i, size_t col, SourceLoc key_loc, Value* out);
  bool ParseKey(const Line& line, size_t col, std::string* key, size_t* after) const;
  bool ParseScalar(const Line& line, size_t col, Value* out) const;
  bool ParseInline(const Line& line, size_t col, Value* out) const;
  bool ParseFlow(const Line& line, size_t col, int depth, Value* out, size_t* end) const;
  bool ParseFlowSeq(const Line& line, size_t col, int depth, Value* out, size_t* end) const;
  bool ParseFlowMap(const Line& line, size_t col, int depth, Value* out, size_t* end) const;
  bool ParseFlowKey(const Line& line, size_t col, std::string* key, size_t* end) const;
  // After a scalar that ends a line, a deeper line would continue it (or be an error).
  bool NextIsNotDeeper(size_t i, size_t col) const {
    return i >= lines_.size() || lines_[i].indent <= col;
  }
  SourceLoc Loc(const Line& line, size_t col) const {
    return SourceLoc{file_, line.number, static_cast<uint32_t>(col + 1)};
  }

  std::string_view text_;
  uint32_t file_;
  KeyLocations* keys_;
  std::vector<Line> lines_;
};

bool BlockReader::SplitLines() {
  if (text_.empty() || text_.back() != '\n') return false;
  lines_.reserve(text_.size() / 32);
  uint32_t number = 0;
  size_t start = 0;
  while (start < text_.size()) {
    size_t nl = text_.find('\n', start);
    std::string_view t = text_.substr(start, nl - start);
    start = nl + 1;
    ++number;
    for (char c : t) {
      auto u = static_cast<unsigned char>(c);
      if (u >= 0x80 || u < 0x20 || u == 0x7f) return false;  // tabs, CR, non-ASCII: full reader
    }
    size_t indent = t.find_first_not_of(' ');
    if (indent == std::string_view::npos || t[indent] == '#') continue;
    std::string_view content = t.substr(indent);
    if (indent == 0 &&
        (content.substr(0, 3) == "---" || content.substr(0, 3) == "..." || content[0] == '%'))
      return false;
    lines_.push_back(Line{number, static_cast<uint32_t>(indent), t});
  }
  return !lines_.empty();
}

bool BlockReader::ParseBlock(size_t* i, size_t col, Value* out) {
  const Line& line = lines_[*i];
  if (IsSeqEntry(line, col)) return ParseSeq(i, col, out);
  std::string key;
  size_t after;
  if (!ParseKey(line, col, &key, &after)) return false;  // a bare scalar on its own line
  return ParseMap(i, col, out);
}

bool BlockReader::ParseKey(const Line& line, size_t col, std::string* key, size_t* after) const {
  std::string_view t = line.text;
  size_t colon;
  if (t[col] == '"' || t[col] == '\'') {
    if (!ReadQuoted(line, col, key, &colon)) return false;
    if (colon >= t.size() || t[colon] != ':') return false;
  } else {
    if (t[col] == '-' || StartsSomethingElse(t[col])) return false;
    colon = col;
    while (true) {
      colon = t.find(':', colon);
      if (colon == std::string_view::npos) return false;
      if (colon + 1 == t.size() || t[colon + 1] == ' ') break;
      ++colon;
    }
    std::string_view k = t.substr(col, colon - col);
    if (k.find(" #") != std::string_view::npos || k.back() == ' ' || IsNullScalar(k)) return false;
    key->assign(k);
  }
  if (colon + 1 < t.size() && t[colon + 1] != ' ') return false;
  if (*key == "<<") return false;
  *after = colon + 1;
  return true;
}

bool BlockReader::ParseScalar(const Line& line, size_t col, Value* out) const {
  std::string_view t = line.text;
  char c = t[col];
  if (c == '"' || c == '\'') {
    std::string s;
    size_t end;
    if (!ReadQuoted(line, col, &s, &end)) return false;
    size_t rest = SkipSpaces(line, end);
    if (rest < t.size() && !(t[rest] == '#' && rest > end)) return false;
    *out = Value(std::move(s));
  } else {
    if (StartsSomethingElse(c) || (c == '-' && (col + 1 == t.size() || t[col + 1] == ' ')))
      return false;
    std::string_view s = t.substr(col);
    if (size_t comment = s.find(" #"); comment != std::string_view::npos) s = s.substr(0, comment);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (s.find(": ") != std::string_view::npos || s.back() == ':') return false;
    *out = ResolvePlainScalar(std::string(s));
  }
  out->loc = Loc(line, col);
  return true;
}

// A map value or sequence item written on the key's or dash's line: a scalar, or a flow
// collection that closes on this line and is followed by nothing but a comment.
bool BlockReader::ParseInline(const Line& line, size_t col, Value* out) const {
  if (line.text[col] != '[' && line.text[col] != '{') return ParseScalar(line, col, out);
  size_t end;
  if (!ParseFlow(line, col, 0, out, &end)) return false;
  size_t rest = SkipSpaces(line, end);
  return rest == line.text.size() || (line.text[rest] == '#' && rest > end);
}

// One node inside a flow collection: a nested collection, a quoted or a plain scalar; sets
// `end` past it.
bool BlockReader::ParseFlow(const Line& line, size_t col, int depth, Value* out,
                            size_t* end) const {
  std::string_view t = line.text;
  if (col >= t.size() || depth > 32) return false;
  if (t[col] == '[') return ParseFlowSeq(line, col, depth + 1, out, end);
  if (t[col] == '{') return ParseFlowMap(line, col, depth + 1, out, end);
  if (t[col] == '"' || t[col] == '\'') {
    std::string s;
    if (!ReadQuoted(line, col, &s, end)) return false;
    *out = Value(std::move(s));
  } else {
    std::string_view s;
    if (!ScanFlowPlain(line, col, &s)) return false;
    *out = ResolvePlainScalar(std::string(s));
    *end = col + s.size();
  }
  out->loc = Loc(line, col);
  return true;
}

// "[a, b]": entries separated by commas; a "key: value" pair, an empty entry or a trailing
// comma is left to the full reader.
bool BlockReader::ParseFlowSeq(const Line& line, size_t col, int depth, Value* out,
                               size_t* end) const {
  std::string_view t = line.text;
  Value seq = Value::EmptyList();
  seq.loc = Loc(line, col);
  size_t i = SkipSpaces(line, col + 1);
  if (i < t.size() && t[i] == ']') {
    *end = i + 1;
    *out = std::move(seq);
    return true;
  }
  while (true) {
    Value item;
    size_t after;
    if (!ParseFlow(line, i, depth, &item, &after)) return false;
    seq.Push(std::move(item));
    i = SkipSpaces(line, after);
    if (i == t.size()) return false;
    if (t[i] == ']') break;
    if (t[i] != ',') return false;
    i = SkipSpaces(line, i + 1);
  }
  *end = i + 1;
  *out = std::move(seq);
  return true;
}

// A key in a flow mapping and its ':' right after it; a plain key needs a space after the ':',
// a quoted one (JSON style) does not. Sets `end` past the ':'.
bool BlockReader::ParseFlowKey(const Line& line, size_t col, std::string* key, size_t* end) const {
  std::string_view t = line.text;
  size_t colon;
  if (t[col] == '"' || t[col] == '\'') {
    if (!ReadQuoted(line, col, key, &colon)) return false;
  } else {
    std::string_view k;
    if (!ScanFlowPlain(line, col, &k) || IsNullScalar(k)) return false;
    colon = col + k.size();
    if (colon + 1 >= t.size() || t[colon + 1] != ' ') return false;
    key->assign(k);
  }
  if (colon >= t.size() || t[colon] != ':' || *key == "<<") return false;
  *end = colon + 1;
  return true;
}

// "{a: 1, "b": 2}": pairs separated by commas; keys without a value, duplicate keys and
// trailing commas are left to the full reader.
bool BlockReader::ParseFlowMap(const Line& line, size_t col, int depth, Value* out,
                               size_t* end) const {
  std::string_view t = line.text;
  Value map = Value::EmptyMap();
  map.loc = Loc(line, col);
  size_t i = SkipSpaces(line, col + 1);
  if (i < t.size() && t[i] == '}') {
    *end = i + 1;
    *out = std::move(map);
    return true;
  }
  std::string key;
  while (true) {
    size_t after;
    if (i == t.size() || !ParseFlowKey(line, i, &key, &after) || map.Find(key)) return false;
    SourceLoc key_loc = Loc(line, i);
    size_t v = SkipSpaces(line, after);
    if (v == t.size() || t[v] == ',' || t[v] == '}') return false;  // an empty value
    Value child;
    if (!ParseFlow(line, v, depth, &child, &after)) return false;
    Value& slot = map[key];
    slot = std::move(child);
    keys_->Set(&slot, key_loc);
    i = SkipSpaces(line, after);
    if (i == t.size()) return false;
    if (t[i] == '}') break;
    if (t[i] != ',') return false;
    i = SkipSpaces(line, i + 1);
  }
  *end = i + 1;
  *out = std::move(map);
  return true;
}

// The value of "key:" written on the following lines: a deeper block, a sequence at the key's
// own indentation, or nothing (null, placed at the key as the full reader does).
bool BlockReader::ParseValueBelow(size_t* i, size_t col, SourceLoc key_loc, Value* out) {
  if (*i < lines_.size() && lines_[*i].indent > col) return ParseBlock(i, lines_[*i].indent, out);
  if (*i < lines_.size() && lines_[*i].indent == col && IsSeqEntry(lines_[*i], col))
    return ParseSeq(i, col, out);
  *out = Value();
  out->loc = key_loc;
  return true;
}

bool BlockReader::ParseMap(size_t* i, size_t col, Value* out) {
  Value map = Value::EmptyMap();
  map.loc = Loc(lines_[*i], col);
  std::string key;
  for (bool first = true; *i < lines_.size(); first = false) {
    const Line& line = lines_[*i];
    if (!first && line.indent < col) break;
    if (!first && line.indent > col) return false;
    size_t after;
    if (!ParseKey(line, col, &key, &after)) return false;
    if (map.Find(key)) return false;  // duplicate: the full reader reports it
    SourceLoc key_loc = Loc(line, col);
    Value child;
    size_t v = SkipSpaces(line, after);
    if (v == line.text.size() || line.text[v] == '#') {
      ++*i;
      if (!ParseValueBelow(i, col, key_loc, &child)) return false;
    } else {
      if (!ParseInline(line, v, &child)) return false;
      if (!NextIsNotDeeper(++*i, col)) return false;
    }
    Value& slot = map[key];
    slot = std::move(child);
    keys_->Set(&slot, key_loc);
  }
  *out = std::move(map);
  return true;
}

bool BlockReader::ParseSeq(size_t* i, size_t col, Value* out) {
  Value seq = Value::EmptyList();
  seq.loc = Loc(lines_[*i], col);
  std::string key;
  for (bool first = true; *i < lines_.size(); first = false) {
    const Line& line = lines_[*i];
    if (!first && (line.indent != col || !IsSeqEntry(line, col))) {
      if (line.indent > col) return false;
      break;
    }
    Value item;
    size_t v = SkipSpaces(line, col + 1), after;
    if (v == line.text.size() || line.text[v] == '#') {
      // The item is on the following lines; an empty item is left to the full reader.
      if (++*i >= lines_.size() || lines_[*i].indent <= col) return false;
      if (!ParseBlock(i, lines_[*i].indent, &item)) return false;
    } else if (IsSeqEntry(line, v)) {
      return false;  // "- - x"
    } else if (ParseKey(line, v, &key, &after)) {
      if (!ParseMap(i, v, &item)) return false;
    } else {
      if (!ParseInline(line, v, &item)) return false;
      if (!NextIsNotDeeper(++*i, col)) return false;
    }
    seq.Push(std::move(item));
  }
  *out = std::move(seq);
  return true;
}

}  // namespace

bool ReadBlockYaml(std::string_view text, uint32_t file, Value* root, KeyLocations* keys) {
  return BlockReader(text, file, keys).Read(root);
}

}  // namespace cairn::blueprint
