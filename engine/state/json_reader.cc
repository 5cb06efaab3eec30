// ReadJsonFast: a recursive-descent JSON reader; see json_reader.h. Any doubt means "no", so
// that nlohmann's parser stays the reference for everything unusual.
#include "engine/state/json_reader.h"

#include <cstdlib>
#include <string>

namespace cairn::state {
namespace {

constexpr int kMaxDepth = 512;

class Reader {
 public:
  explicit Reader(std::string_view text) : t_(text) {}

  bool Document(Value* out) {
    if (!Element(out, 0)) return false;
    SkipSpace();
    return p_ == t_.size();
  }

 private:
  void SkipSpace() {
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\n' || t_[p_] == '\r' || t_[p_] == '\t'))
      ++p_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (p_ >= t_.size() || t_[p_] != c) return false;
    ++p_;
    return true;
  }
  bool Literal(std::string_view word) {
    if (t_.substr(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool Element(Value* out, int depth) {
    SkipSpace();
    if (p_ >= t_.size() || depth > kMaxDepth) return false;
    switch (t_[p_]) {
      case '{': return Object(out, depth);
      case '[': return Array(out, depth);
      case '"': {
        std::string s;
        if (!String(&s)) return false;
        *out = Value(std::move(s));
        return true;
      }
      case 't': *out = Value(true); return Literal("true");
      case 'f': *out = Value(false); return Literal("false");
      case 'n': *out = Value(); return Literal("null");
      default: return Number(out);
    }
  }

  bool Object(Value* out, int depth) {
    ++p_;  // '{'
    *out = Value::EmptyMap();
    Value::Map& map = out->MutableMap();
    SkipSpace();
    if (p_ < t_.size() && t_[p_] == '}') {
      ++p_;
      return true;
    }
    std::string key;
    do {
      SkipSpace();
      if (!String(&key) || !Eat(':')) return false;
      if (!Element(&map[key], depth + 1)) return false;
    } while (Eat(','));
    if (!Eat('}')) return false;
    // {"$unknown": "origin"} is how ToJson writes a value known only after apply.
    if (map.size() == 1 && map.begin()->first == "$unknown" && map.begin()->second.is_string())
      *out = Value::Unknown(map.begin()->second.AsString());
    return true;
  }

  bool Array(Value* out, int depth) {
    ++p_;  // '['
    *out = Value::EmptyList();
    Value::List& list = out->MutableList();
    SkipSpace();
    if (p_ < t_.size() && t_[p_] == ']') {
      ++p_;
      return true;
    }
    do {
      list.emplace_back();
      if (!Element(&list.back(), depth + 1)) return false;
    } while (Eat(','));
    return Eat(']');
  }

  static int Hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool String(std::string* out) {
    if (p_ >= t_.size() || t_[p_] != '"') return false;
    ++p_;
    out->clear();
    size_t run = p_;  // start of the bytes not yet copied
    while (p_ < t_.size()) {
      auto c = static_cast<unsigned char>(t_[p_]);
      if (c == '"') {
        out->append(t_.data() + run, p_ - run);
        ++p_;
        return true;
      }
      if (c < 0x20 || c >= 0x80) return false;  // control characters; UTF-8 is left to nlohmann
      if (c != '\\') {
        ++p_;
        continue;
      }
      out->append(t_.data() + run, p_ - run);
      if (++p_ >= t_.size()) return false;
      char e = t_[p_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          if (p_ + 4 > t_.size()) return false;
          int code = 0;
          for (int i = 0; i < 4; ++i) {
            int h = Hex(t_[p_ + i]);
            if (h < 0) return false;
            code = code * 16 + h;
          }
          if (code >= 0x80) return false;
          out->push_back(static_cast<char>(code));
          p_ += 4;
          break;
        }
        default: return false;
      }
      run = p_;
    }
    return false;
  }

  bool Digits() {
    size_t start = p_;
    while (p_ < t_.size() && t_[p_] >= '0' && t_[p_] <= '9') ++p_;
    return p_ > start;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool Number(Value* out) {
    size_t start = p_;
    if (p_ < t_.size() && t_[p_] == '-') ++p_;
    if (p_ >= t_.size() || t_[p_] < '0' || t_[p_] > '9') return false;
    if (t_[p_] == '0') {
      ++p_;
    } else {
      Digits();
    }
    bool is_float = false;
    if (p_ < t_.size() && t_[p_] == '.') {
      ++p_;
      if (!Digits()) return false;
      is_float = true;
    }
    if (p_ < t_.size() && (t_[p_] == 'e' || t_[p_] == 'E')) {
      ++p_;
      if (p_ < t_.size() && (t_[p_] == '+' || t_[p_] == '-')) ++p_;
      if (!Digits()) return false;
      is_float = true;
    }
    std::string token(t_.substr(start, p_ - start));
    if (is_float) {
      *out = Value(std::strtod(token.c_str(), nullptr));
      return true;
    }
    // Up to 18 digits always fit int64; longer ones are left to nlohmann.
    size_t digits = token.size() - (token[0] == '-' ? 1 : 0);
    if (digits > 18) return false;
    *out = Value(static_cast<int64_t>(std::strtoll(token.c_str(), nullptr, 10)));
    return true;
  }

  std::string_view t_;
  size_t p_ = 0;
};

}  // namespace

bool ReadJsonFast(std::string_view text, Value* out) { return Reader(text).Document(out); }

}  // namespace cairn::state
