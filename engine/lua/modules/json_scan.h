// A fast reader for valid JSON text that calls a handler per value, for json.decode.
//
// nlohmann's lexer copies every character through its error-reporting buffers, which makes it
// the larger part of decoding a big API response. ScanJson reads the same grammar (RFC 8259, as
// nlohmann does: no comments, UTF-8 checked, numbers converted the same way) with a pointer, and
// hands unescaped strings over without copying. It gives up on anything it does not accept, without
// saying why: the caller then reads the text again with nlohmann, which gives the same values or
// its usual error message. So the two readers never disagree on what a document means.
#pragma once

#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace cairn::lua {
namespace json_scan {

inline void SkipSpace(const char*& p, const char* end) {
  while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
}

// The length of the well-formed UTF-8 sequence (RFC 3629) at p, or 0.
inline int Utf8Length(const unsigned char* p, const unsigned char* end) {
  auto in = [&](int i, unsigned lo, unsigned hi) {
    return p + i < end && p[i] >= lo && p[i] <= hi;
  };
  unsigned c = p[0];
  if (c >= 0xC2 && c <= 0xDF) return in(1, 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return in(1, 0xA0, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return in(1, 0x80, 0x9F) && in(2, 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0) return in(1, 0x90, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3)
    return in(1, 0x80, 0xBF) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4) return in(1, 0x80, 0x8F) && in(2, 0x80, 0xBF) && in(3, 0x80, 0xBF) ? 4 : 0;
  return 0;
}

// Four hex digits at p as a code unit, or -1.
inline long Hex4(const char* p, const char* end) {
  if (end - p < 4) return -1;
  long v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

inline void AppendUtf8(unsigned long cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Reads the rest of a string from the first backslash at p into `out`; p ends after the quote.
inline bool ReadEscapedString(const char*& p, const char* end, std::string* out) {
  while (p != end) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') {
      ++p;
      return true;
    }
    if (c < 0x20) return false;
    if (c >= 0x80) {
      int n = Utf8Length(reinterpret_cast<const unsigned char*>(p),
                         reinterpret_cast<const unsigned char*>(end));
      if (n == 0) return false;
      out->append(p, n);
      p += n;
      continue;
    }
    if (c != '\\') {
      out->push_back(static_cast<char>(c));
      ++p;
      continue;
    }
    if (++p == end) return false;
    char e = *p++;
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
        long hi = Hex4(p, end);
        if (hi < 0 || (hi >= 0xDC00 && hi <= 0xDFFF)) return false;
        p += 4;
        unsigned long cp = static_cast<unsigned long>(hi);
        if (hi >= 0xD800 && hi <= 0xDBFF) {
          if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return false;
          long lo = Hex4(p + 2, end);
          if (lo < 0xDC00 || lo > 0xDFFF) return false;
          p += 6;
          cp = 0x10000 + ((static_cast<unsigned long>(hi) - 0xD800) << 10) +
               (static_cast<unsigned long>(lo) - 0xDC00);
        }
        AppendUtf8(cp, out);
        break;
      }
      default: return false;
    }
  }
  return false;
}

// Reads a string whose opening quote is at p; `*s` views the text or `scratch`.
inline bool ReadString(const char*& p, const char* end, std::string* scratch, std::string_view* s) {
  const char* start = ++p;
  while (p != end) {
    unsigned char c = static_cast<unsigned char>(*p);
    if (c == '"') {
      *s = std::string_view(start, static_cast<size_t>(p - start));
      ++p;
      return true;
    }
    if (c == '\\') {
      scratch->assign(start, p);
      if (!ReadEscapedString(p, end, scratch)) return false;
      *s = *scratch;
      return true;
    }
    if (c < 0x20) return false;
    if (c >= 0x80) {
      int n = Utf8Length(reinterpret_cast<const unsigned char*>(p),
                         reinterpret_cast<const unsigned char*>(end));
      if (n == 0) return false;
      p += n;
    } else {
      ++p;
    }
  }
  return false;
}

// Converts a number token with a fraction, an exponent or too many digits as nlohmann does
// (strtod with the locale's decimal point); nlohmann rejects a result that is not finite.
inline bool ToDouble(const char* start, const char* end, double* d) {
  std::string token(start, end);
  const char point = *std::localeconv()->decimal_point;
  if (point != '.')
    for (char& c : token)
      if (c == '.') c = point;
  *d = std::strtod(token.c_str(), nullptr);
  return std::isfinite(*d);
}

template <class Handler>
bool ReadNumber(const char*& p, const char* end, Handler* h) {
  const char* start = p;
  if (*p != '-' && (*p < '0' || *p > '9')) return false;
  bool negative = *p == '-';
  if (negative) ++p;
  auto digit = [&] { return p != end && *p >= '0' && *p <= '9'; };
  if (!digit()) return false;
  uint64_t magnitude = 0;
  bool overflow = false;
  if (*p == '0') {
    ++p;
  } else {
    for (; digit(); ++p) {
      uint64_t d = static_cast<uint64_t>(*p - '0');
      if (magnitude > (UINT64_MAX - d) / 10) overflow = true;
      magnitude = magnitude * 10 + d;
    }
  }
  bool is_float = false;
  if (p != end && *p == '.') {
    ++p;
    if (!digit()) return false;
    while (digit()) ++p;
    is_float = true;
  }
  if (p != end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p != end && (*p == '+' || *p == '-')) ++p;
    if (!digit()) return false;
    while (digit()) ++p;
    is_float = true;
  }
  // Integers beyond int64 (negative) or uint64 (positive) become floats, as in nlohmann.
  if (!is_float && !overflow && !negative) {
    h->Unsigned(magnitude);
    return true;
  }
  if (!is_float && !overflow && magnitude <= static_cast<uint64_t>(INT64_MAX) + 1) {
    h->Integer(magnitude == static_cast<uint64_t>(INT64_MAX) + 1
                   ? INT64_MIN
                   : -static_cast<int64_t>(magnitude));
    return true;
  }
  double d = 0;
  if (!ToDouble(start, p, &d)) return false;
  h->Float(d);
  return true;
}

inline bool ReadLiteral(const char*& p, const char* end, const char* word, size_t n) {
  if (static_cast<size_t>(end - p) < n || std::memcmp(p, word, n) != 0) return false;
  p += n;
  return true;
}

}  // namespace json_scan

/// Reads `text` as one JSON document, calling the handler's Null, Bool, Integer, Unsigned, Float,
/// String, Key, StartObject, EndObject, StartArray and EndArray in document order. Returns false,
/// possibly after some calls, when the text is not something it reads (invalid JSON, a byte order
/// mark): the caller should then discard what it was given and ask nlohmann.
template <class Handler>
bool ScanJson(std::string_view text, Handler* h) {
  using namespace json_scan;
  const char* p = text.data();
  const char* end = p + text.size();
  std::vector<bool> in_object;  // the open containers
  std::string scratch;
  std::string_view s;
  bool at_key = false;  // a member's key starts at p, else a value
  SkipSpace(p, end);
  for (;;) {
    if (at_key) {
      if (p == end || *p != '"' || !ReadString(p, end, &scratch, &s)) return false;
      h->Key(s);
      SkipSpace(p, end);
      if (p == end || *p != ':') return false;
      ++p;
      SkipSpace(p, end);
      at_key = false;
    }
    if (p == end) return false;
    switch (*p) {
      case '{':
      case '[': {
        bool object = *p == '{';
        ++p;
        if (object)
          h->StartObject();
        else
          h->StartArray();
        SkipSpace(p, end);
        if (p == end || *p != (object ? '}' : ']')) {
          in_object.push_back(object);
          at_key = object;
          continue;
        }
        ++p;
        if (object)
          h->EndObject();
        else
          h->EndArray();
        break;
      }
      case '"':
        if (!ReadString(p, end, &scratch, &s)) return false;
        h->String(s);
        break;
      case 't':
        if (!ReadLiteral(p, end, "true", 4)) return false;
        h->Bool(true);
        break;
      case 'f':
        if (!ReadLiteral(p, end, "false", 5)) return false;
        h->Bool(false);
        break;
      case 'n':
        if (!ReadLiteral(p, end, "null", 4)) return false;
        h->Null();
        break;
      default:
        if (!ReadNumber(p, end, h)) return false;
        break;
    }
    // A value ended: close containers, then go on with the next item or member.
    for (;;) {
      SkipSpace(p, end);
      if (in_object.empty()) return p == end;
      if (p == end) return false;
      char c = *p++;
      if (c == ',') break;
      if (c != (in_object.back() ? '}' : ']')) return false;
      if (in_object.back())
        h->EndObject();
      else
        h->EndArray();
      in_object.pop_back();
    }
    SkipSpace(p, end);
    at_key = in_object.back();
  }
}

}  // namespace cairn::lua
