#include "tests/emulators/kube/kube_util.h"

#include <cstring>
#include <ctime>
#include <memory>
#include <random>
#include <vector>

#include <libdeflate.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace cairn::emulators {

std::string Base64Encode(const std::string& data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(n);
  return out;
}

std::optional<std::string> Base64Decode(const std::string& text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(n - pad);
  return out;
}

std::string NewUid() {
  // A generator per thread, seeded by OpenSSL: uids must be unique, not secret, and RAND_bytes
  // for each one cost more than the rest of a create.
  thread_local std::mt19937_64 random = [] {
    uint64_t seed = 0;
    RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed);
    return std::mt19937_64(seed ^ std::random_device{}());
  }();
  unsigned char b[16];
  uint64_t halves[2] = {random(), random()};
  std::memcpy(b, halves, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RandomSuffix(int n) {
  static const char* kChars = "bcdfghjklmnpqrstvwxz2456789";
  std::vector<unsigned char> b(n);
  RAND_bytes(b.data(), n);
  std::string out;
  for (unsigned char c : b) out += kChars[c % 27];
  return out;
}

std::string GzipFast(const std::string& data) {
  libdeflate_compressor* c = libdeflate_alloc_compressor(1);
  if (!c) return "";
  // Not a std::string: that would zero the whole bound (about the input's size) first.
  size_t bound = libdeflate_gzip_compress_bound(c, data.size());
  std::unique_ptr<char[]> out(new char[bound]);
  size_t n = libdeflate_gzip_compress(c, data.data(), data.size(), out.get(), bound);
  libdeflate_free_compressor(c);
  return std::string(out.get(), n);  // n == 0 (did not fit) is ruled out by the bound
}

bool HasFinalizers(const nlohmann::json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return false;
  auto f = meta->find("finalizers");
  return f != meta->end() && f->is_array() && !f->empty();
}

}  // namespace cairn::emulators
