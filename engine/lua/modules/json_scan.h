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

#include "engine/base/json_text.h"

namespace cairn::lua {
namespace json_scan {

using json_text::ReadString;

inline void SkipSpace(const char*& p, const char* end) {
  while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
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
///
/// A handler that wants to know where things are in the text also defines KeyAt(p) (p at a key's
/// opening quote, before Key), ValueAt(p) (p at a value's first character, before its events) and
/// ValueEnd(p) (p just after a value, after its last event).
template <class Handler>
bool ScanJson(std::string_view text, Handler* h) {
  using namespace json_scan;
  constexpr bool kSpans = requires(Handler * x, const char* q) {
    x->KeyAt(q);
    x->ValueAt(q);
    x->ValueEnd(q);
  };
  const char* p = text.data();
  const char* end = p + text.size();
  std::vector<bool> in_object;  // the open containers
  std::string scratch;
  std::string_view s;
  bool at_key = false;  // a member's key starts at p, else a value
  SkipSpace(p, end);
  for (;;) {
    if (at_key) {
      if (p == end || *p != '"') return false;
      if constexpr (kSpans) h->KeyAt(p);
      if (!ReadString(p, end, &scratch, &s)) return false;
      h->Key(s);
      SkipSpace(p, end);
      if (p == end || *p != ':') return false;
      ++p;
      SkipSpace(p, end);
      at_key = false;
    }
    if (p == end) return false;
    if constexpr (kSpans) h->ValueAt(p);
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
        break;  // an empty container: ends below like a scalar
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
    if constexpr (kSpans) h->ValueEnd(p);
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
      if constexpr (kSpans) h->ValueEnd(p);
    }
    SkipSpace(p, end);
    at_key = in_object.back();
  }
}

}  // namespace cairn::lua
