// ReadJsonFast: a recursive-descent JSON reader; see json_reader.h. Any doubt means "no", so
// that nlohmann's parser stays the reference for everything unusual.
#include "engine/state/json_reader.h"

#include <cstdlib>
#include <string>

#include "engine/base/json_text.h"

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
      // Keys written by cairn are sorted: a hint at the end makes each insert O(1). A repeated
      // key finds its first entry, which the later value overwrites (as map[key] would).
      auto slot = map.emplace_hint(map.end(), key, Value());
      if (!Element(&slot->second, depth + 1)) return false;
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

  bool String(std::string* out) {
    if (p_ >= t_.size() || t_[p_] != '"') return false;
    const char* p = t_.data() + p_;
    std::string_view view;
    if (!json_text::ReadString(p, t_.data() + t_.size(), out, &view)) return false;
    if (view.data() != out->data()) out->assign(view);  // no escapes: `view` is the text itself
    p_ = static_cast<size_t>(p - t_.data());
    return true;
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
