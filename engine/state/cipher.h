// Encryption at rest for state: AES-256-GCM envelopes around snapshots, backups and journal
// records, with the key taken from a passphrase (scrypt or PBKDF2) or a raw key file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace cairn::state {

/// Where the state key comes from, as configured (blueprint `state.encryption` or flags).
struct KeySpec {
  enum class Kind { kNone, kPassphrase, kRawKey };
  Kind kind = Kind::kNone;
  /// The passphrase, or the raw key file's content (32 bytes, or 64 hex digits).
  std::string secret;
  /// For a passphrase: "scrypt" (default) or "pbkdf2".
  std::string kdf = "scrypt";
  /// Where the secret came from, for messages (never the secret itself), e.g. "env CAIRN_KEY".
  std::string origin;
};

/// The key-derivation parameters written beside each ciphertext, so that a later cairn (or a
/// different cost setting) can still derive the key that sealed it.
struct KdfParams {
  std::string kdf;  // "scrypt", "pbkdf2" or "raw"
  uint64_t n = 0;   // scrypt cost N (a power of two)
  uint64_t r = 0, p = 0;
  uint64_t iterations = 0;  // pbkdf2 (HMAC-SHA-256)
  std::string salt;         // raw bytes; empty for "raw"
};

/// Seals and opens state text. Sealing derives the key once (with a salt fixed for this
/// object's lifetime) and uses a fresh random nonce per call; opening derives the key for each
/// salt it meets, once. Thread-safe.
class StateCipher {
 public:
  /// nullptr for KeySpec::Kind::kNone. A raw key of the wrong length is an error.
  static Result<std::shared_ptr<StateCipher>> Create(const KeySpec& spec);

  /// Whether `text` is an envelope (as opposed to plain state text).
  static bool IsSealed(std::string_view text);

  /// The envelope for `plaintext`: one line of JSON holding the format, the KDF and its
  /// parameters, the nonce, the ciphertext and the GCM tag.
  Result<std::string> Seal(std::string_view plaintext) const;
  /// The plaintext of an envelope. A wrong key or altered data is an error (the tag does not
  /// match); `what` names the thing being opened in that message.
  Result<std::string> Open(std::string_view envelope, const std::string& what) const;

  const KeySpec& spec() const { return spec_; }
  /// "passphrase from env X (scrypt)" or "raw key from file Y", for messages.
  std::string Describe() const;

 private:
  explicit StateCipher(KeySpec spec) : spec_(std::move(spec)) {}
  Result<std::string> KeyFor(const KdfParams& params) const;

  KeySpec spec_;
  KdfParams write_params_;
  std::string write_key_;
  mutable std::mutex mu_;
  mutable std::map<std::string, std::string> keys_;  // by KDF parameters + salt
};

/// Opens `text` when it is an envelope, or returns it unchanged when it is plain. An envelope
/// without a cipher is an error saying which key option to set.
Result<std::string> OpenIfSealed(const StateCipher* cipher, std::string_view text,
                                 const std::string& what);
/// Seals `text` with `cipher`, or returns it unchanged without one.
Result<std::string> SealIfKeyed(const StateCipher* cipher, std::string text);

/// For re-encrypting a kept state: `text` opened with `old` and sealed with `next`; "" when
/// `text` is already what `next` writes (sealed with its key, or plain when `next` is null).
Result<std::string> ReencryptedText(const StateCipher* old, const StateCipher* next,
                                    std::string_view text, const std::string& what);

/// RFC 4648 base64 (padded), used by the envelopes and by the etcd gateway.
std::string Base64Encode(std::string_view in);
/// False when `in` is not valid base64.
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace cairn::state
