#include "tests/emulators/kube/json_parse.h"

#include <cstdint>
#include <cstring>
#include <string_view>

#include "engine/base/json_text.h"

namespace cairn::emulators {
namespace {

/// Recursive descent over the common subset; every method returns false for what it does not
/// handle, and the caller then asks nlohmann's parser.
class FastParser {
 public:
  explicit FastParser(const std::string& text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool Document(nlohmann::json* out) {
    Skip();
    if (!Value(out, 0)) return false;
    Skip();
    return p_ == end_;
  }

 private:
  static constexpr int kMaxDepth = 256;

  void Skip() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }

  bool Word(const char* word, size_t n) {
    if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
    p_ += n;
    return true;
  }

  bool Value(nlohmann::json* out, int depth) {
    if (p_ >= end_ || depth > kMaxDepth) return false;
    switch (*p_) {
      case '{': return Object(out, depth);
      case '[': return Array(out, depth);
      case '"': {
        std::string s;
        if (!String(&s)) return false;
        *out = std::move(s);
        return true;
      }
      case 't': return Word("true", 4) && (*out = true, true);
      case 'f': return Word("false", 5) && (*out = false, true);
      case 'n': return Word("null", 4) && (*out = nullptr, true);
      default: return Number(out);
    }
  }

  bool Object(nlohmann::json* out, int depth) {
    ++p_;
    *out = nlohmann::json::object();
    auto& members = out->get_ref<nlohmann::json::object_t&>();
    Skip();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    while (true) {
      Skip();
      if (p_ >= end_ || *p_ != '"') return false;
      std::string key;
      if (!String(&key)) return false;
      Skip();
      if (p_ >= end_ || *p_ != ':') return false;
      ++p_;
      Skip();
      nlohmann::json& slot = members[std::move(key)];
      slot = nullptr;  // a repeated key keeps its last value, as with nlohmann's parser
      if (!Value(&slot, depth + 1)) return false;
      Skip();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
      } else if (*p_ == '}') {
        ++p_;
        return true;
      } else {
        return false;
      }
    }
  }

  bool Array(nlohmann::json* out, int depth) {
    ++p_;
    *out = nlohmann::json::array();
    auto& items = out->get_ref<nlohmann::json::array_t&>();
    Skip();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    while (true) {
      Skip();
      items.emplace_back();
      if (!Value(&items.back(), depth + 1)) return false;
      Skip();
      if (p_ >= end_) return false;
      if (*p_ == ',') {
        ++p_;
      } else if (*p_ == ']') {
        ++p_;
        return true;
      } else {
        return false;
      }
    }
  }

  // The string whose quote is at p_ (cairn's reader of JSON strings: UTF-8 checked, escapes
  // and surrogate pairs decoded as nlohmann does).
  bool String(std::string* s) {
    std::string_view view;
    if (!json_text::ReadString(p_, end_, s, &view)) return false;
    if (view.data() != s->data()) s->assign(view);
    return true;
  }

  // Integers of up to 18 digits: unsigned when positive, signed when negative, as nlohmann's
  // parser makes them; fractions, exponents and longer numbers are left to it.
  bool Number(nlohmann::json* out) {
    bool negative = p_ < end_ && *p_ == '-';
    const char* q = negative ? p_ + 1 : p_;
    const char* digits = q;
    uint64_t value = 0;
    while (q < end_ && *q >= '0' && *q <= '9')
      value = value * 10 + static_cast<uint64_t>(*q++ - '0');
    size_t n = static_cast<size_t>(q - digits);
    if (n == 0 || n > 18 || (n > 1 && *digits == '0')) return false;
    if (q < end_ && (*q == '.' || *q == 'e' || *q == 'E')) return false;
    p_ = q;
    if (negative) {
      *out = -static_cast<int64_t>(value);
    } else {
      *out = value;
    }
    return true;
  }

  const char* p_;
  const char* const end_;
};

}  // namespace

nlohmann::json ParseJson(const std::string& text) {
  nlohmann::json out;
  if (FastParser(text).Document(&out)) return out;
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace cairn::emulators
