// host.crypto: hashes, HMAC, randomness and X25519 (WireGuard) keys through OpenSSL's EVP API.
#include <memory>
#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "engine/lua/binding.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

constexpr int64_t kMaxRandomBytes = 1 << 20;
constexpr size_t kX25519KeySize = 32;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string Hex(const unsigned char* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string Base64(const unsigned char* data, size_t n) {
  std::string out(4 * ((n + 2) / 3) + 1, '\0');
  int len =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<size_t>(len));
  return out;
}

// Decodes a WireGuard-style key: exactly 32 bytes in standard base64 (44 characters).
bool DecodeKey(const std::string& b64, unsigned char out[kX25519KeySize]) {
  if (b64.size() != 44 || b64[43] != '=' || b64[42] == '=') return false;
  unsigned char buf[33];
  if (EVP_DecodeBlock(buf, reinterpret_cast<const unsigned char*>(b64.data()), 44) != 33)
    return false;
  std::copy(buf, buf + kX25519KeySize, out);
  return true;
}

std::string RandomBytes(Args& a) {
  int64_t n = a.Integer(1);
  if (n < 0 || n > kMaxRandomBytes)
    a.Fail(1, "count must be from 0 to " + std::to_string(kMaxRandomBytes));
  std::string out(static_cast<size_t>(n), '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw BindingError{"crypto: the system random generator failed"};
  return out;
}

std::string PublicFromPrivate(const unsigned char priv[kX25519KeySize]) {
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv, kX25519KeySize));
  unsigned char pub[kX25519KeySize];
  size_t len = sizeof pub;
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), pub, &len) != 1 || len != kX25519KeySize)
    throw BindingError{"crypto: X25519 public key derivation failed"};
  return Base64(pub, len);
}

int Sha256(lua_State* L) {
  return Bind(L, "sha256", [](Args& a, Returns& r) {
    std::string data = a.String(1);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
      throw BindingError{"crypto.sha256: digest failed"};
    r.push_back(Hex(md, len));
  });
}

int HmacSha256(lua_State* L) {
  return Bind(L, "hmac_sha256", [](Args& a, Returns& r) {
    std::string key = a.String(1);
    std::string data = a.String(2);
    bool raw = false;
    if (!a.IsNoneOrNil(3)) {
      Value opts = a.Table(3);
      if (const Value* v = opts.Find("raw")) {
        if (!v->is_bool()) a.Fail(3, "raw must be a boolean");
        raw = v->AsBool();
      }
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len) == nullptr)
      throw BindingError{"crypto.hmac_sha256: HMAC failed"};
    r.push_back(raw ? std::string(reinterpret_cast<char*>(md), len) : Hex(md, len));
  });
}

int RandomBytesFn(lua_State* L) {
  return Bind(L, "random_bytes", [](Args& a, Returns& r) { r.push_back(RandomBytes(a)); });
}

int RandomHex(lua_State* L) {
  return Bind(L, "random_hex", [](Args& a, Returns& r) {
    std::string bytes = RandomBytes(a);
    r.push_back(Hex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size()));
  });
}

int X25519Keypair(lua_State* L) {
  return Bind(L, "x25519_keypair", [](Args& a, Returns& r) {
    unsigned char priv[kX25519KeySize];
    if (RAND_bytes(priv, sizeof priv) != 1)
      throw BindingError{"crypto: the system random generator failed"};
    // Clamp as `wg genkey` does, so the stored private key is the canonical form.
    priv[0] &= 248;
    priv[31] = static_cast<unsigned char>((priv[31] & 127) | 64);
    Value::Map pair;
    pair["public_key"] = PublicFromPrivate(priv);
    pair["private_key"] = Base64(priv, sizeof priv);
    r.push_back(Value(std::move(pair)));
  });
}

int X25519Public(lua_State* L) {
  return Bind(L, "x25519_public", [](Args& a, Returns& r) {
    unsigned char priv[kX25519KeySize];
    if (!DecodeKey(a.String(1), priv))
      a.Fail(1,
             "expected a base64 X25519 private key of 32 bytes (44 characters, as `wg genkey` "
             "prints)");
    r.push_back(PublicFromPrivate(priv));
  });
}

}  // namespace

int OpenCryptoModule(lua_State* L) {
  static const luaL_Reg kFunctions[] = {
      {"sha256", Sha256},        {"hmac_sha256", HmacSha256},       {"random_bytes", RandomBytesFn},
      {"random_hex", RandomHex}, {"x25519_keypair", X25519Keypair}, {"x25519_public", X25519Public},
      {nullptr, nullptr}};
  luaL_newlib(L, kFunctions);
  return 1;
}

}  // namespace cairn::lua
