#include "engine/graph/refs.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace cairn::graph {
namespace {

const char kShapeHint[] =
    "a reference looks like ${<provider>.<type>.<name>.<attribute>}, e.g. "
    "${local.file.motd.sha256}; write $${ for a literal ${";

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// Checks the text inside ${...} and splits it into address and path.
bool ParseInner(const std::string& inner, Reference* ref, std::string* error) {
  if (inner.empty()) {
    *error = "empty reference '${}'";
    return false;
  }
  size_t i = 0;
  int dotted = 0;  // names separated by '.' seen so far
  size_t address_end = std::string::npos;
  bool expect_name = true;
  while (i < inner.size()) {
    char c = inner[i];
    if (expect_name) {
      size_t start = i;
      while (i < inner.size() && IsNameChar(inner[i])) ++i;
      if (i == start) {
        *error = "malformed reference '${" + inner + "}': expected a name at offset " +
                 std::to_string(start);
        return false;
      }
      ++dotted;
      if (dotted == 3) address_end = i;
      expect_name = false;
      continue;
    }
    if (c == '.') {
      ++i;
      expect_name = true;
      continue;
    }
    if (c == '[' && dotted >= 4) {
      size_t start = ++i;
      while (i < inner.size() && std::isdigit(static_cast<unsigned char>(inner[i]))) ++i;
      if (i == start || i >= inner.size() || inner[i] != ']') {
        *error = "malformed reference '${" + inner + "}': expected a list index like [0]";
        return false;
      }
      ++i;
      continue;
    }
    *error = "malformed reference '${" + inner + "}': unexpected '" + std::string(1, c) + "'";
    return false;
  }
  if (expect_name) {
    *error = "malformed reference '${" + inner + "}': it ends with '.'";
    return false;
  }
  if (dotted < 4) {
    *error = "malformed reference '${" + inner + "}': it needs at least 4 parts, got " +
             std::to_string(dotted);
    return false;
  }
  ref->text = inner;
  ref->address = inner.substr(0, address_end);
  ref->path = inner.substr(address_end + 1);
  return true;
}

// A piece of a template string: literal text or a reference.
struct Piece {
  bool is_ref = false;
  std::string literal;
  Reference ref;
};

// Splits a string into literal pieces and references; handles the $${ escape.
bool SplitTemplate(const std::string& s, std::vector<Piece>* pieces, std::string* error) {
  std::string literal;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '$' && i + 2 < s.size() && s[i + 1] == '$' && s[i + 2] == '{') {
      literal += "${";
      i += 3;
      continue;
    }
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      size_t close = s.find('}', i + 2);
      if (close == std::string::npos) {
        *error = "unterminated reference '" + s.substr(i) + "' (missing '}')";
        return false;
      }
      Piece p;
      p.is_ref = true;
      if (!ParseInner(s.substr(i + 2, close - i - 2), &p.ref, error)) return false;
      if (!literal.empty()) {
        Piece lit;
        lit.literal = std::move(literal);
        pieces->push_back(std::move(lit));
        literal.clear();
      }
      pieces->push_back(std::move(p));
      i = close + 1;
      continue;
    }
    literal += s[i++];
  }
  if (!literal.empty()) {
    Piece lit;
    lit.literal = std::move(literal);
    pieces->push_back(std::move(lit));
  }
  return true;
}

void FindIn(const Value& v, const std::string& path, std::vector<Reference>* out,
            Diagnostics* diags) {
  switch (v.kind()) {
    case Value::Kind::kString: {
      if (v.AsString().find("${") == std::string::npos) return;
      std::vector<Piece> pieces;
      std::string error;
      if (!SplitTemplate(v.AsString(), &pieces, &error)) {
        diags->Error(v.loc, path, error, kShapeHint);
        return;
      }
      for (Piece& p : pieces) {
        if (!p.is_ref) continue;
        p.ref.loc = v.loc;
        out->push_back(std::move(p.ref));
      }
      return;
    }
    case Value::Kind::kList: {
      const Value::List& items = v.AsList();
      for (size_t i = 0; i < items.size(); ++i) FindIn(items[i], PathIndex(path, i), out, diags);
      return;
    }
    case Value::Kind::kMap:
      for (const auto& [k, item] : v.AsMap()) FindIn(item, PathKey(path, k), out, diags);
      return;
    default: return;
  }
}

// Walks `path` from `root`, noting sensitivity on the way; stops at unknown values.
const Value* Walk(const Value& root, const std::string& path, bool* sensitive) {
  const Value* cur = &root;
  size_t i = 0;
  while (true) {
    if (cur->sensitive) *sensitive = true;
    if (cur->is_unknown() || i >= path.size()) return cur;
    if (path[i] == '.' && ++i >= path.size()) return nullptr;
    if (path[i] == '[') {
      size_t close = path.find(']', i);
      if (close == std::string::npos || !cur->is_list()) return nullptr;
      size_t index = std::strtoull(path.c_str() + i + 1, nullptr, 10);
      if (index >= cur->AsList().size()) return nullptr;
      cur = &cur->AsList()[index];
      i = close + 1;
      continue;
    }
    size_t end = i;
    while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
    cur = cur->Find(std::string_view(path).substr(i, end - i));
    if (cur == nullptr) return nullptr;
    i = end;
  }
}

std::string FormatNumber(double d) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  std::string s = buf;
  // Prefer the shortest representation that reads back the same.
  for (int prec = 1; prec < 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) return buf;
  }
  return s;
}

// Resolves one reference; returns false and sets `error` when the path is absent.
bool ResolveOne(const Reference& ref, const std::function<const Value*(const std::string&)>& lookup,
                Value* out, bool* sensitive, std::string* error) {
  const Value* attrs = lookup(ref.address);
  if (attrs == nullptr) {
    *out = Value::Unknown(ref.text);
    return true;
  }
  const Value* found = Walk(*attrs, ref.path, sensitive);
  if (found == nullptr) {
    *error =
        "reference '${" + ref.text + "}': " + ref.address + " has no attribute '" + ref.path + "'";
    return false;
  }
  if (found->is_unknown()) {
    *out = Value::Unknown(ref.text);
    return true;
  }
  *out = *found;
  return true;
}

Value ResolveIn(const Value& v, const std::function<const Value*(const std::string&)>& lookup,
                std::string* error) {
  switch (v.kind()) {
    case Value::Kind::kList: {
      Value out = Value::EmptyList();
      for (const Value& item : v.AsList()) out.Push(ResolveIn(item, lookup, error));
      out.loc = v.loc;
      out.sensitive = v.sensitive;
      return out;
    }
    case Value::Kind::kMap: {
      Value out = Value::EmptyMap();
      for (const auto& [k, item] : v.AsMap()) out[k] = ResolveIn(item, lookup, error);
      out.loc = v.loc;
      out.sensitive = v.sensitive;
      return out;
    }
    case Value::Kind::kString: break;
    default: return v;
  }
  const std::string& s = v.AsString();
  if (s.find("${") == std::string::npos) return v;
  std::vector<Piece> pieces;
  std::string local_error;
  auto fail = [&](const std::string& msg) {
    if (error->empty()) {
      std::string where = SourceFiles::Format(v.loc);
      *error = where.empty() ? msg : where + ": " + msg;
    }
  };
  if (!SplitTemplate(s, &pieces, &local_error)) {
    fail(local_error);
    return v;
  }
  bool sensitive = v.sensitive;
  // A string that is exactly one reference takes the referenced value as it is.
  if (pieces.size() == 1 && pieces[0].is_ref) {
    Value out;
    if (!ResolveOne(pieces[0].ref, lookup, &out, &sensitive, &local_error)) {
      fail(local_error);
      return Value::Unknown(pieces[0].ref.text);
    }
    out.loc = v.loc;
    if (sensitive) out.sensitive = true;
    return out;
  }
  std::string text;
  std::string unknown_origin;
  for (const Piece& p : pieces) {
    if (!p.is_ref) {
      text += p.literal;
      continue;
    }
    Value part;
    if (!ResolveOne(p.ref, lookup, &part, &sensitive, &local_error)) {
      fail(local_error);
      if (unknown_origin.empty()) unknown_origin = p.ref.text;
      continue;
    }
    if (part.ContainsSensitive()) sensitive = true;
    switch (part.kind()) {
      case Value::Kind::kUnknown:
        if (unknown_origin.empty()) unknown_origin = p.ref.text;
        break;
      case Value::Kind::kString: text += part.AsString(); break;
      case Value::Kind::kInt: text += std::to_string(part.AsInt()); break;
      case Value::Kind::kFloat: text += FormatNumber(part.AsNumber()); break;
      case Value::Kind::kBool: text += part.AsBool() ? "true" : "false"; break;
      default:
        fail("reference '${" + p.ref.text + "}' is a " + part.kind_name() +
             " and cannot be placed inside a string; use it as the whole value instead");
        break;
    }
  }
  Value out = unknown_origin.empty() ? Value(std::move(text)) : Value::Unknown(unknown_origin);
  out.loc = v.loc;
  out.sensitive = sensitive;
  return out;
}

}  // namespace

bool ParseReferences(const std::string& s, std::vector<Reference>* out, std::string* error) {
  std::vector<Piece> pieces;
  if (!SplitTemplate(s, &pieces, error)) return false;
  for (Piece& p : pieces)
    if (p.is_ref) out->push_back(std::move(p.ref));
  return true;
}

void FindReferences(const Value& attrs, std::vector<Reference>* out, Diagnostics* diags) {
  if (!ContainsText(attrs, "${")) return;  // most resources have none: no paths to build
  FindIn(attrs, "", out, diags);
}

Value ResolveReferences(const Value& attrs,
                        const std::function<const Value*(const std::string&)>& lookup,
                        std::string* error) {
  if (!ContainsText(attrs, "${")) return attrs;  // a copy is cheaper than a rebuild key by key
  std::string ignored;
  return ResolveIn(attrs, lookup, error != nullptr ? error : &ignored);
}

const Value* FindPath(const Value& root, const std::string& path) {
  bool sensitive = false;
  return Walk(root, path, &sensitive);
}

}  // namespace cairn::graph
