#include "engine/blueprint/yaml_scalar.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace cairn::blueprint {
namespace {

bool AllDigits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                         : c >= '0' && c < static_cast<char>('0' + base);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool IsNullScalar(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool ParseYamlInt(std::string_view s, Value* out) {
  bool negative = false;
  std::string_view body = s;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o')) {
    if (s[0] == '-' || s[0] == '+') return false;  // YAML 1.2 core: no sign on 0x / 0o
    base = body[1] == 'x' ? 16 : 8;
    body.remove_prefix(2);
  }
  if (!AllDigits(body, base)) return false;
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), magnitude, base);
  if (ec != std::errc() || ptr != body.data() + body.size() ||
      magnitude > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    // Too large for an integer: keep it exactly as written rather than lose digits.
    *out = Value(std::string(s));
    return true;
  }
  int64_t v = static_cast<int64_t>(magnitude);
  *out = Value(negative ? -v : v);
  return true;
}

bool ParseYamlFloat(std::string_view s, Value* out) {
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '-' || body[0] == '+')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    double inf = std::numeric_limits<double>::infinity();
    *out = Value(negative ? -inf : inf);
    return true;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    *out = Value(std::numeric_limits<double>::quiet_NaN());
    return true;
  }
  // [0-9]* ( . [0-9]* )? ( [eE] [-+]? [0-9]+ )?, with at least one mantissa digit.
  size_t i = 0, digits = 0;
  while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '-' || body[i] == '+')) ++i;
    size_t exp_start = i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i;
    if (i == exp_start) return false;
  }
  if (i != body.size()) return false;
  std::string copy(s);
  *out = Value(std::strtod(copy.c_str(), nullptr));
  return true;
}

Value ResolvePlainScalar(const std::string& s) {
  if (IsNullScalar(s)) return Value();
  if (s == "true" || s == "True" || s == "TRUE") return Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return Value(false);
  Value v;
  char c = s[0];
  if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') {
    if (ParseYamlInt(s, &v)) return v;
    if (ParseYamlFloat(s, &v)) return v;
  }
  return Value(s);
}

}  // namespace cairn::blueprint
