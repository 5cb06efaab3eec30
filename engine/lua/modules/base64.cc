// host.base64: RFC 4648 base64, standard (padded) and URL-safe (unpadded) alphabets.
#include <array>
#include <cstdint>
#include <string>

#include "engine/lua/binding.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

constexpr char kStandard[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlSafe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string EncodeWith(const std::string& in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(in[i])); };
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t n = byte(i) << 16;
    if (rest == 2) n |= byte(i + 1) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (rest == 2) out += alphabet[(n >> 6) & 63];
    if (pad) out += rest == 2 ? "=" : "==";
  }
  return out;
}

// Decodes `in`. Whitespace is skipped (PEM bodies have line breaks); padding may be left out,
// but when present it must be right. Anything else is an error that names the byte offset.
std::string DecodeWith(const std::string& in, const char* alphabet, const char* fname) {
  std::array<int8_t, 256> value;
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  auto fail = [&](size_t pos, const std::string& what) {
    throw BindingError{std::string("base64.") + fname + ": " + what + " at byte " +
                       std::to_string(pos + 1)};
  };
  std::string out;
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0, digits = 0, pads = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '=') {
      if (digits % 4 < 2) fail(i, "unexpected '='");
      ++pads;
      if (pads > 4 - digits % 4) fail(i, "too much padding");
      continue;
    }
    if (pads > 0) fail(i, "data after padding");
    int8_t v = value[static_cast<uint8_t>(c)];
    if (v < 0) {
      std::string shown = (c >= 0x20 && c < 0x7f) ? std::string("'") + c + "'" : "a control byte";
      fail(i, "invalid character " + shown);
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    ++digits;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (digits % 4 == 1) fail(in.size() - 1, "truncated input");
  if (pads > 0 && (digits + pads) % 4 != 0) fail(in.size() - 1, "wrong padding");
  // Leftover bits must be zero, or two different texts would decode to the same bytes.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) fail(in.size() - 1, "non-canonical ending");
  return out;
}

int Encode(lua_State* L) {
  return Bind(L, "encode",
              [](Args& a, Returns& r) { r.push_back(EncodeWith(a.String(1), kStandard, true)); });
}

int Decode(lua_State* L) {
  return Bind(L, "decode", [](Args& a, Returns& r) {
    r.push_back(DecodeWith(a.String(1), kStandard, "decode"));
  });
}

int UrlEncode(lua_State* L) {
  return Bind(L, "url_encode",
              [](Args& a, Returns& r) { r.push_back(EncodeWith(a.String(1), kUrlSafe, false)); });
}

int UrlDecode(lua_State* L) {
  return Bind(L, "url_decode", [](Args& a, Returns& r) {
    r.push_back(DecodeWith(a.String(1), kUrlSafe, "url_decode"));
  });
}

}  // namespace

int OpenBase64Module(lua_State* L) {
  static const luaL_Reg kFunctions[] = {{"encode", Encode},
                                        {"decode", Decode},
                                        {"url_encode", UrlEncode},
                                        {"url_decode", UrlDecode},
                                        {nullptr, nullptr}};
  luaL_newlib(L, kFunctions);
  return 1;
}

}  // namespace cairn::lua
