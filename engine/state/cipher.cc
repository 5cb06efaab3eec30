#include "engine/state/cipher.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "engine/base/json.h"
#include "engine/base/value.h"

namespace cairn::state {
namespace {

constexpr size_t kKeyBytes = 32;    // AES-256
constexpr size_t kNonceBytes = 12;  // GCM's standard nonce
constexpr size_t kTagBytes = 16;
constexpr size_t kSaltBytes = 16;
constexpr int kEnvelopeVersion = 1;
// scrypt N=2^15, r=8, p=1 (32 MiB, about 0.1 s) and PBKDF2-HMAC-SHA-256 with 600,000 rounds:
// the costs recommended for interactive logins, paid once per process.
constexpr uint64_t kScryptN = 1 << 15, kScryptR = 8, kScryptP = 1;
constexpr uint64_t kPbkdf2Iterations = 600000;
constexpr uint64_t kMaxScryptMem = 256ull << 20;
const char kMagic[] = "{\"cairn_encrypted\":";

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A raw key file holds 32 bytes, or 64 hex digits (with an optional trailing newline).
Result<std::string> RawKey(const KeySpec& spec) {
  std::string s = spec.secret;
  if (s.size() == kKeyBytes) return s;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.size() == 2 * kKeyBytes) {
    std::string key;
    for (size_t i = 0; i < s.size(); i += 2) {
      int hi = HexDigit(s[i]), lo = HexDigit(s[i + 1]);
      if (hi < 0 || lo < 0) break;
      key += static_cast<char>(hi << 4 | lo);
    }
    if (key.size() == kKeyBytes) return key;
  }
  return Status::Error(
      "the raw state key from " + spec.origin + " is not 32 bytes or 64 hex digits",
      "create one with: openssl rand -hex 32 > state.key");
}

std::string ParamsId(const KdfParams& p) {
  return p.kdf + "/" + std::to_string(p.n) + "/" + std::to_string(p.r) + "/" + std::to_string(p.p) +
         "/" + std::to_string(p.iterations) + "/" + p.salt;
}

// The authenticated header: everything that decides how the key and the nonce are used.
std::string Aad(const KdfParams& p, const std::string& nonce) {
  return "cairn-state-v1|" + ParamsId(p) + "|" + nonce;
}

Value ParamsToValue(const KdfParams& p) {
  Value v = Value::EmptyMap();
  if (p.kdf == "scrypt") {
    v["N"] = static_cast<int64_t>(p.n);
    v["r"] = static_cast<int64_t>(p.r);
    v["p"] = static_cast<int64_t>(p.p);
  } else if (p.kdf == "pbkdf2") {
    v["hash"] = "sha256";
    v["iterations"] = static_cast<int64_t>(p.iterations);
  }
  return v;
}

uint64_t IntField(const Value* m, const char* key) {
  if (m == nullptr) return 0;
  const Value* f = m->Find(key);
  return f != nullptr && f->is_int() && f->AsInt() > 0 ? static_cast<uint64_t>(f->AsInt()) : 0;
}

std::string StrField(const Value& m, const char* key) {
  const Value* f = m.Find(key);
  return f != nullptr && f->is_string() ? f->AsString() : "";
}

}  // namespace

std::string Base64Encode(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  out->assign(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(n) - pad);
  return true;
}

Result<std::shared_ptr<StateCipher>> StateCipher::Create(const KeySpec& spec) {
  if (spec.kind == KeySpec::Kind::kNone) return std::shared_ptr<StateCipher>();
  std::shared_ptr<StateCipher> c(new StateCipher(spec));
  KdfParams& p = c->write_params_;
  if (spec.kind == KeySpec::Kind::kRawKey) {
    p.kdf = "raw";
  } else if (spec.kdf == "scrypt" || spec.kdf.empty()) {
    p.kdf = "scrypt";
    p.n = kScryptN;
    p.r = kScryptR;
    p.p = kScryptP;
  } else if (spec.kdf == "pbkdf2") {
    p.kdf = "pbkdf2";
    p.iterations = kPbkdf2Iterations;
  } else {
    return Status::Error("unknown key derivation '" + spec.kdf + "'",
                         "use scrypt (the default) or pbkdf2");
  }
  if (spec.kind == KeySpec::Kind::kPassphrase && spec.secret.empty()) {
    return Status::Error("the state passphrase from " + spec.origin + " is empty");
  }
  if (p.kdf != "raw") p.salt = RandomBytes(kSaltBytes);
  Result<std::string> key = c->KeyFor(p);
  if (!key.ok()) return key.status();
  c->write_key_ = std::move(key).value();
  return c;
}

Result<std::string> StateCipher::KeyFor(const KdfParams& p) const {
  std::string id = ParamsId(p);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  std::string key(kKeyBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(key.data());
  const auto* salt = reinterpret_cast<const unsigned char*>(p.salt.data());
  if (p.kdf == "raw") {
    if (spec_.kind != KeySpec::Kind::kRawKey) {
      return Status::Error("it was encrypted with a raw key file, but " + Describe() +
                           " is configured");
    }
    Result<std::string> raw = RawKey(spec_);
    if (!raw.ok()) return raw.status();
    key = std::move(raw).value();
  } else if (spec_.kind != KeySpec::Kind::kPassphrase) {
    return Status::Error("it was encrypted with a passphrase (" + p.kdf + "), but " + Describe() +
                         " is configured");
  } else if (p.kdf == "scrypt") {
    if (p.n < 2 || (p.n & (p.n - 1)) != 0 || p.r == 0 || p.p == 0 ||
        128 * p.n * p.r * p.p > kMaxScryptMem) {
      return Status::Error("its scrypt parameters are invalid or too costly");
    }
    if (EVP_PBE_scrypt(spec_.secret.data(), spec_.secret.size(), salt, p.salt.size(), p.n, p.r, p.p,
                       kMaxScryptMem + (1 << 20), out, kKeyBytes) != 1) {
      return Status::Error("scrypt failed");
    }
  } else if (p.kdf == "pbkdf2") {
    if (p.iterations == 0 || p.iterations > 100000000) {
      return Status::Error("its PBKDF2 iteration count is invalid");
    }
    if (PKCS5_PBKDF2_HMAC(spec_.secret.data(), static_cast<int>(spec_.secret.size()), salt,
                          static_cast<int>(p.salt.size()), static_cast<int>(p.iterations),
                          EVP_sha256(), static_cast<int>(kKeyBytes), out) != 1) {
      return Status::Error("PBKDF2 failed");
    }
  } else {
    return Status::Error("it uses the unknown key derivation '" + p.kdf + "'", "upgrade cairn");
  }
  std::lock_guard<std::mutex> lock(mu_);
  keys_[id] = key;
  return key;
}

bool StateCipher::IsSealed(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
  return text.substr(i, sizeof kMagic - 1) == kMagic;
}

std::string StateCipher::Describe() const {
  if (spec_.kind == KeySpec::Kind::kRawKey) return "the raw key from " + spec_.origin;
  return "the passphrase from " + spec_.origin + " (" + (spec_.kdf.empty() ? "scrypt" : spec_.kdf) +
         ")";
}

Result<std::string> StateCipher::Seal(std::string_view plaintext) const {
  std::string nonce = RandomBytes(kNonceBytes);
  std::string aad = Aad(write_params_, nonce);
  std::string ct(plaintext.size(), '\0'), tag(kTagBytes, '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      ctx != nullptr &&
      EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_EncryptInit_ex(ctx, nullptr, nullptr,
                         reinterpret_cast<const unsigned char*>(write_key_.data()),
                         reinterpret_cast<const unsigned char*>(nonce.data())) == 1 &&
      EVP_EncryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx, reinterpret_cast<unsigned char*>(ct.data()), &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(ct.data()) + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return Status::Error("AES-256-GCM encryption failed");
  // The fields are written in a fixed order so that IsSealed can recognise the first bytes.
  std::string out = kMagic + std::to_string(kEnvelopeVersion);
  out += ",\"cipher\":\"aes-256-gcm\",\"kdf\":\"" + write_params_.kdf + "\",\"kdf_params\":";
  out += DumpJson(ParamsToValue(write_params_));
  out += ",\"salt\":\"" + Base64Encode(write_params_.salt) + "\",\"nonce\":\"" +
         Base64Encode(nonce) + "\",\"tag\":\"" + Base64Encode(tag) + "\",\"ciphertext\":\"" +
         Base64Encode(ct) + "\"}";
  return out;
}

Result<std::string> StateCipher::Open(std::string_view envelope, const std::string& what) const {
  Result<Value> parsed = ParseJson(envelope);
  auto bad = [&](const std::string& why) {
    return Status::Error("cannot decrypt " + what + ": " + why,
                         "the data was left untouched; check the key configured for the state");
  };
  if (!parsed.ok() || !parsed->is_map()) return bad("the envelope is not valid JSON");
  const Value& env = *parsed;
  const Value* version = env.Find("cairn_encrypted");
  if (version == nullptr || !version->is_int() || version->AsInt() > kEnvelopeVersion) {
    return bad("unknown envelope version (upgrade cairn)");
  }
  if (StrField(env, "cipher") != "aes-256-gcm") return bad("unknown cipher");
  KdfParams p;
  p.kdf = StrField(env, "kdf");
  const Value* kp = env.Find("kdf_params");
  p.n = IntField(kp, "N");
  p.r = IntField(kp, "r");
  p.p = IntField(kp, "p");
  p.iterations = IntField(kp, "iterations");
  std::string nonce, tag, ct;
  if (!Base64Decode(StrField(env, "salt"), &p.salt) ||
      !Base64Decode(StrField(env, "nonce"), &nonce) || nonce.size() != kNonceBytes ||
      !Base64Decode(StrField(env, "tag"), &tag) || tag.size() != kTagBytes ||
      !Base64Decode(StrField(env, "ciphertext"), &ct)) {
    return bad("the envelope is damaged");
  }
  Result<std::string> key = KeyFor(p);
  if (!key.ok()) return bad(key.status().message());
  std::string aad = Aad(p, nonce);
  std::string pt(ct.size(), '\0');
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  int len = 0;
  bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) == 1 &&
      EVP_DecryptInit_ex(ctx, nullptr, nullptr, reinterpret_cast<const unsigned char*>(key->data()),
                         reinterpret_cast<const unsigned char*>(nonce.data())) == 1 &&
      EVP_DecryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(pt.data()), &len,
                        reinterpret_cast<const unsigned char*>(ct.data()),
                        static_cast<int>(ct.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) == 1 &&
      EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(pt.data()) + len, &len) == 1;
  EVP_CIPHER_CTX_free(ctx);
  if (!ok) return bad("wrong key (" + Describe() + "), or the data was altered");
  return pt;
}

Result<std::string> OpenIfSealed(const StateCipher* cipher, std::string_view text,
                                 const std::string& what) {
  if (!StateCipher::IsSealed(text)) return std::string(text);
  if (cipher == nullptr) {
    return Status::Error(what + " is encrypted and no state key is configured",
                         "set state.encryption in the blueprint, or pass --state-key-env NAME or "
                         "--state-key-file PATH (see docs/state.md)");
  }
  return cipher->Open(text, what);
}

Result<std::string> SealIfKeyed(const StateCipher* cipher, std::string text) {
  if (cipher == nullptr) return text;
  return cipher->Seal(text);
}

Result<std::string> ReencryptedText(const StateCipher* old, const StateCipher* next,
                                    std::string_view text, const std::string& what) {
  bool sealed = StateCipher::IsSealed(text);
  if (!sealed && next == nullptr) return std::string();
  Result<std::string> plain = OpenIfSealed(old, text, what);
  if (!plain.ok()) {
    // Left by an earlier, interrupted rekey?
    if (sealed && next != nullptr && next->Open(text, what).ok()) return std::string();
    return plain.status();
  }
  return SealIfKeyed(next, std::move(plain).value());
}

}  // namespace cairn::state
