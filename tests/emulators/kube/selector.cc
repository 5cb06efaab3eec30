#include "tests/emulators/kube/selector.h"

#include <algorithm>

namespace cairn::emulators {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Splits at commas that are not inside parentheses.
std::vector<std::string> SplitTop(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

bool ValidLabelToken(const std::string& s) {
  if (s.empty() || s.size() > 316) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '/';
  });
}

}  // namespace

Result<Selector> Selector::ParseLabels(const std::string& text) {
  Selector sel;
  if (Trim(text).empty()) return sel;
  for (const std::string& raw : SplitTop(text)) {
    std::string part = Trim(raw);
    Requirement r;
    auto fail = [&](const std::string& why) {
      return Status::Error("unable to parse requirement: " + why + " in '" + part + "'");
    };
    size_t sp = part.find(' ');
    size_t paren = part.find('(');
    if (paren != std::string::npos && sp != std::string::npos && sp < paren) {
      r.key = Trim(part.substr(0, sp));
      std::string rest = Trim(part.substr(sp));
      std::string op = Trim(rest.substr(0, rest.find('(')));
      if (op == "in") {
        r.op = Requirement::Op::kIn;
      } else if (op == "notin") {
        r.op = Requirement::Op::kNotIn;
      } else {
        return fail("unknown operator '" + op + "'");
      }
      size_t open = rest.find('('), close = rest.rfind(')');
      if (close == std::string::npos || close < open) return fail("missing ')'");
      std::string inner = rest.substr(open + 1, close - open - 1);
      size_t start = 0;
      while (true) {
        size_t comma = inner.find(',', start);
        std::string v = Trim(inner.substr(start, comma - start));
        if (!v.empty()) r.values.push_back(v);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      if (r.values.empty()) return fail("for 'in', 'notin' operators, values set can't be empty");
    } else if (part.find("!=") != std::string::npos) {
      size_t at = part.find("!=");
      r.key = Trim(part.substr(0, at));
      r.op = Requirement::Op::kNotEq;
      r.values.push_back(Trim(part.substr(at + 2)));
    } else if (part.find("==") != std::string::npos) {
      size_t at = part.find("==");
      r.key = Trim(part.substr(0, at));
      r.values.push_back(Trim(part.substr(at + 2)));
    } else if (part.find('=') != std::string::npos) {
      size_t at = part.find('=');
      r.key = Trim(part.substr(0, at));
      r.values.push_back(Trim(part.substr(at + 1)));
    } else if (!part.empty() && part[0] == '!') {
      r.key = Trim(part.substr(1));
      r.op = Requirement::Op::kNotExists;
    } else {
      r.key = part;
      r.op = Requirement::Op::kExists;
    }
    if (!ValidLabelToken(r.key)) return fail("invalid label key '" + r.key + "'");
    for (const std::string& v : r.values)
      if (!v.empty() && !ValidLabelToken(v)) return fail("invalid label value '" + v + "'");
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

Result<Selector> Selector::ParseFields(const std::string& text) {
  Selector sel;
  sel.fields_ = true;
  if (Trim(text).empty()) return sel;
  for (const std::string& raw : SplitTop(text)) {
    std::string part = Trim(raw);
    Requirement r;
    size_t at = part.find("!=");
    size_t len = 2;
    r.op = Requirement::Op::kNotEq;
    if (at == std::string::npos) {
      r.op = Requirement::Op::kEq;
      at = part.find("==");
      if (at == std::string::npos) {
        at = part.find('=');
        len = 1;
      }
    }
    if (at == std::string::npos)
      return Status::Error("invalid selector: '" + part + "'; can't understand '" + part + "'");
    r.key = Trim(part.substr(0, at));
    r.values.push_back(Trim(part.substr(at + len)));
    if (r.key != "metadata.name" && r.key != "metadata.namespace")
      return Status::Error("\"" + r.key +
                           "\" is not a known field selector: only \"metadata.name\", "
                           "\"metadata.namespace\"");
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool Selector::Matches(const nlohmann::json& object) const {
  const nlohmann::json* source = nullptr;
  static const nlohmann::json kEmpty = nlohmann::json::object();
  auto meta = object.find("metadata");
  if (fields_) {
    source = meta != object.end() ? &*meta : &kEmpty;
  } else {
    source = &kEmpty;
    if (meta != object.end()) {
      auto labels = meta->find("labels");
      if (labels != meta->end() && labels->is_object()) source = &*labels;
    }
  }
  for (const Requirement& r : reqs_) {
    std::string key = fields_ ? r.key.substr(std::string("metadata.").size()) : r.key;
    auto it = source->find(key);
    bool has = it != source->end() && it->is_string();
    std::string value = has ? it->get<std::string>() : "";
    bool in = std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    bool ok = true;
    switch (r.op) {
      case Requirement::Op::kEq: ok = has && in; break;
      case Requirement::Op::kNotEq: ok = !has || !in; break;
      case Requirement::Op::kIn: ok = has && in; break;
      case Requirement::Op::kNotIn: ok = !has || !in; break;
      case Requirement::Op::kExists: ok = has; break;
      case Requirement::Op::kNotExists: ok = !has; break;
    }
    if (fields_ && r.op == Requirement::Op::kNotEq) ok = value != r.values[0];
    if (fields_ && r.op == Requirement::Op::kEq) ok = value == r.values[0];
    if (!ok) return false;
  }
  return true;
}

}  // namespace cairn::emulators
