// JSON string text: UTF-8 checks and escapes, shared by every JSON reader and writer in cairn
// (state files, json.decode, json.encode, DumpJson), so that they agree on what a string is.
#pragma once

#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cairn::json_text {

// The first byte from p on that a JSON string cannot hold as it is (a quote, a backslash, a
// control character, the first byte of a multi-byte UTF-8 sequence), or end. Strings are most of
// the bytes of a state file or an API response, so this looks at 16 bytes at once where it can.
inline const char* PlainRunEnd(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // A signed compare: bytes from 0x80 up are negative, so "below 0x20" takes them too.
    __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    int mask = _mm_movemask_epi8(special);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p != end; ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
  }
  return p;
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
  while ((p = PlainRunEnd(p, end)) != end) {
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
    int n = Utf8Length(reinterpret_cast<const unsigned char*>(p),
                       reinterpret_cast<const unsigned char*>(end));
    if (n == 0) return false;
    p += n;
  }
  return false;
}

// Appends `s` as a quoted JSON string as nlohmann's dump writes it (control characters as \b,
// \f, \n, \r, \t or \u00XX, UTF-8 as it is); false, with `out` partly written, when `s` is
// not UTF-8. Runs of characters that need no escape go in with one append.
inline bool AppendQuoted(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  *out += '"';
  size_t i = 0;
  while (i < s.size()) {
    size_t run = static_cast<size_t>(PlainRunEnd(s.data() + i, s.data() + s.size()) - s.data());
    out->append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      int n = Utf8Length(reinterpret_cast<const unsigned char*>(s.data() + i),
                         reinterpret_cast<const unsigned char*>(s.data() + s.size()));
      if (n == 0) return false;
      out->append(s.data() + i, static_cast<size_t>(n));
      i += static_cast<size_t>(n);
      continue;
    }
    ++i;
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:  // the other control characters
        *out += "\\u00";
        *out += kHex[c >> 4];
        *out += kHex[c & 0xF];
    }
  }
  *out += '"';
  return true;
}

}  // namespace cairn::json_text
