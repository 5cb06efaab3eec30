#include "engine/blueprint/formats.h"

#include <cctype>
#include <charconv>
#include <vector>

#include <arpa/inet.h>

namespace cairn::blueprint {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool ParseUint(std::string_view s, unsigned max, unsigned* out) {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s)
    if (!IsDigit(c)) return false;
  if (s.size() > 1 && s[0] == '0') return false;  // "010" is ambiguous (octal in some tools)
  unsigned v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v > max) return false;
  *out = v;
  return true;
}

bool IsUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  }
  for (char c : s)
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

bool IsCron(std::string_view s) {
  static const char* const kMacros[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                        "@daily",  "@midnight", "@hourly"};
  for (const char* m : kMacros)
    if (s == m) return true;
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) fields.push_back(s.substr(start, i - start));
  }
  if (fields.size() != 5) return false;
  for (std::string_view f : fields) {
    for (char c : f) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '*' && c != '/' && c != ',' &&
          c != '-' && c != '?')
        return false;
    }
  }
  return true;
}

}  // namespace

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    unsigned v;
    if (!ParseUint(part, 255, &v)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool IsIpv6(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  std::string copy(s);
  unsigned char buf[16];
  return inet_pton(AF_INET6, copy.c_str(), buf) == 1;
}

bool IsHostname(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    if (dot == std::string_view::npos) {
      // An all-digit last label is a mistyped IP address, not a name ("10.0.0.300").
      bool digits = true;
      for (char c : label) digits = digits && IsDigit(c);
      return !digits;
    }
    start = dot + 1;
  }
}

bool IsCidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view addr = s.substr(0, slash);
  std::string_view prefix = s.substr(slash + 1);
  unsigned bits;
  if (IsIpv4(addr)) return ParseUint(prefix, 32, &bits);
  if (IsIpv6(addr)) return ParseUint(prefix, 128, &bits);
  return false;
}

bool IsDuration(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == 'P') {
    // ISO 8601: P[nY][nM][nW][nD][T[nH][nM][nS]], at least one component.
    bool in_time = false, any = false;
    size_t i = 1;
    while (i < s.size()) {
      if (s[i] == 'T') {
        if (in_time) return false;
        in_time = true;
        ++i;
        if (i == s.size()) return false;
        continue;
      }
      size_t start = i;
      while (i < s.size() && (IsDigit(s[i]) || s[i] == '.')) ++i;
      if (i == start || i == s.size()) return false;
      char unit = s[i++];
      const char* allowed = in_time ? "HMS" : "YMWD";
      bool ok = false;
      for (const char* a = allowed; *a; ++a) ok = ok || *a == unit;
      if (!ok) return false;
      any = true;
    }
    return any;
  }
  // Compact: one or more <digits><unit>, e.g. 90s, 1h30m, 7d, 2w, 250ms.
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
    size_t ustart = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    if (unit != "ms" && unit != "s" && unit != "m" && unit != "h" && unit != "d" && unit != "w")
      return false;
  }
  return true;
}

bool CheckFormat(std::string_view format, std::string_view s, std::string* what) {
  if (format == "ipv4") {
    *what = "an IPv4 address";
    return IsIpv4(s);
  }
  if (format == "ipv6") {
    *what = "an IPv6 address";
    return IsIpv6(s);
  }
  if (format == "ip") {
    *what = "an IP address";
    return IsIpv4(s) || IsIpv6(s);
  }
  if (format == "hostname" || format == "idn-hostname") {
    *what = "a host name";
    return IsHostname(s);
  }
  if (format == "cidr") {
    *what = "a CIDR range such as 10.0.0.0/24";
    return IsCidr(s);
  }
  if (format == "duration") {
    *what = "a duration such as 30s, 1h30m, 7d or P1D";
    return IsDuration(s);
  }
  if (format == "uri") {
    *what = "a URI such as https://host:9000";
    return IsUri(s);
  }
  if (format == "cron") {
    *what = "a cron schedule such as \"0 3 * * *\" or @daily";
    return IsCron(s);
  }
  return true;
}

}  // namespace cairn::blueprint
