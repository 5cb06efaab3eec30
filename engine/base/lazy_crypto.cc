// libcrypto (OpenSSL 3), loaded on the first hash, cipher or random call instead of at start.
//
// Linked normally, libcrypto is the largest single cost of cairn's start: the loader relocates
// ~3,200 of its symbols to itself before main() (more than libstdc++), in every run, although
// only an encrypted state, a saved plan file, an etcd backend, git's known_hosts and plugins
// using the Lua crypto module ever hash or encrypt. So cairn does not link libcrypto: this file
// defines the ~20 EVP_/RAND_/PKCS5_ functions cairn calls, and the first call dlopen()s
// libcrypto.so.3 and forwards. Callers use the ordinary OpenSSL API.
//
// It is the same libcrypto that libcurl (through libssl) and libgit2 load: a process has one
// copy, which OpenSSL initialises itself on first use, as before. The forwarders are hidden
// (not in the binary's dynamic symbol table), so they never stand in for libcrypto's own
// functions when libssl or libgit2 call them.
//
// libcrypto is in libssl3, which libcurl4 depends on too; a package of cairn must depend on it
// itself, since the binary no longer names it (DT_NEEDED). If it cannot be loaded, the first
// call prints why and which package to install and ends the process with status 127, the
// loader's status for a missing library (which is what a linked libcrypto gave, before main):
// callers cannot go on without a hash or a cipher, and some have no way to report an error.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "engine/base/lazy_library.h"

namespace cairn {
namespace {

constexpr const char* kSoname = "libcrypto.so.3";  // the soname cairn was built against

// Every libcrypto function cairn calls; each has a forwarder below.
// clang-format off
#define CAIRN_CRYPTO_FUNCTIONS(X) \
  X(EVP_CIPHER_CTX_ctrl) \
  X(EVP_CIPHER_CTX_free) \
  X(EVP_CIPHER_CTX_new) \
  X(EVP_DecodeBlock) \
  X(EVP_DecryptFinal_ex) \
  X(EVP_DecryptInit_ex) \
  X(EVP_DecryptUpdate) \
  X(EVP_Digest) \
  X(EVP_EncodeBlock) \
  X(EVP_EncryptFinal_ex) \
  X(EVP_EncryptInit_ex) \
  X(EVP_EncryptUpdate) \
  X(EVP_PBE_scrypt) \
  X(EVP_PKEY_free) \
  X(EVP_PKEY_get_raw_public_key) \
  X(EVP_PKEY_new_raw_private_key) \
  X(EVP_aes_256_gcm) \
  X(EVP_sha1) \
  X(EVP_sha256) \
  X(HMAC) \
  X(PKCS5_PBKDF2_HMAC) \
  X(RAND_bytes) \
  X(SHA256)
// clang-format on

/// The functions looked up in libcrypto.so.3, typed as OpenSSL's headers declare them.
struct CryptoFunctions {
#define CAIRN_FIELD(name) decltype(&::name) name = nullptr;
  CAIRN_CRYPTO_FUNCTIONS(CAIRN_FIELD)
#undef CAIRN_FIELD
  std::string error;  // empty when every function was found
};

CryptoFunctions Load() {
  CryptoFunctions f;
  // Debian's package of libcrypto.so.3; never unloaded.
  void* lib = OpenLibrary(kSoname, "libssl3", &f.error);
  if (lib == nullptr) return f;
#define CAIRN_FIND(name) FindSymbol(lib, kSoname, #name, &f.name, &f.error);
  CAIRN_CRYPTO_FUNCTIONS(CAIRN_FIND)
#undef CAIRN_FIND
  return f;
}

/// The loaded functions; the first call loads them (thread-safe: a function-local static).
const CryptoFunctions& Crypto() {
  static const CryptoFunctions functions = Load();
  if (!functions.error.empty()) {
    std::fprintf(stderr, "cairn: %s\n", functions.error.c_str());
    std::fflush(stderr);
    std::_Exit(127);
  }
  return functions;
}

}  // namespace

}  // namespace cairn

// The forwarders' symbols are local to the binary (see the file comment).
#define CAIRN_HIDE(name) CAIRN_HIDE_SYMBOL(name)
CAIRN_CRYPTO_FUNCTIONS(CAIRN_HIDE)
#undef CAIRN_HIDE

using cairn::Crypto;

extern "C" {

int EVP_CIPHER_CTX_ctrl(EVP_CIPHER_CTX* ctx, int type, int arg, void* ptr) {
  return Crypto().EVP_CIPHER_CTX_ctrl(ctx, type, arg, ptr);
}

void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX* ctx) { Crypto().EVP_CIPHER_CTX_free(ctx); }

EVP_CIPHER_CTX* EVP_CIPHER_CTX_new() { return Crypto().EVP_CIPHER_CTX_new(); }

int EVP_DecodeBlock(unsigned char* t, const unsigned char* f, int n) {
  return Crypto().EVP_DecodeBlock(t, f, n);
}

int EVP_DecryptFinal_ex(EVP_CIPHER_CTX* ctx, unsigned char* out, int* outl) {
  return Crypto().EVP_DecryptFinal_ex(ctx, out, outl);
}

int EVP_DecryptInit_ex(EVP_CIPHER_CTX* ctx, const EVP_CIPHER* cipher, ENGINE* impl,
                       const unsigned char* key, const unsigned char* iv) {
  return Crypto().EVP_DecryptInit_ex(ctx, cipher, impl, key, iv);
}

int EVP_DecryptUpdate(EVP_CIPHER_CTX* ctx, unsigned char* out, int* outl, const unsigned char* in,
                      int inl) {
  return Crypto().EVP_DecryptUpdate(ctx, out, outl, in, inl);
}

int EVP_Digest(const void* data, size_t count, unsigned char* md, unsigned int* size,
               const EVP_MD* type, ENGINE* impl) {
  return Crypto().EVP_Digest(data, count, md, size, type, impl);
}

int EVP_EncodeBlock(unsigned char* t, const unsigned char* f, int n) {
  return Crypto().EVP_EncodeBlock(t, f, n);
}

int EVP_EncryptFinal_ex(EVP_CIPHER_CTX* ctx, unsigned char* out, int* outl) {
  return Crypto().EVP_EncryptFinal_ex(ctx, out, outl);
}

int EVP_EncryptInit_ex(EVP_CIPHER_CTX* ctx, const EVP_CIPHER* cipher, ENGINE* impl,
                       const unsigned char* key, const unsigned char* iv) {
  return Crypto().EVP_EncryptInit_ex(ctx, cipher, impl, key, iv);
}

int EVP_EncryptUpdate(EVP_CIPHER_CTX* ctx, unsigned char* out, int* outl, const unsigned char* in,
                      int inl) {
  return Crypto().EVP_EncryptUpdate(ctx, out, outl, in, inl);
}

int EVP_PBE_scrypt(const char* pass, size_t passlen, const unsigned char* salt, size_t saltlen,
                   uint64_t N, uint64_t r, uint64_t p, uint64_t maxmem, unsigned char* key,
                   size_t keylen) {
  return Crypto().EVP_PBE_scrypt(pass, passlen, salt, saltlen, N, r, p, maxmem, key, keylen);
}

void EVP_PKEY_free(EVP_PKEY* pkey) { Crypto().EVP_PKEY_free(pkey); }

int EVP_PKEY_get_raw_public_key(const EVP_PKEY* pkey, unsigned char* pub, size_t* len) {
  return Crypto().EVP_PKEY_get_raw_public_key(pkey, pub, len);
}

EVP_PKEY* EVP_PKEY_new_raw_private_key(int type, ENGINE* e, const unsigned char* priv, size_t len) {
  return Crypto().EVP_PKEY_new_raw_private_key(type, e, priv, len);
}

const EVP_CIPHER* EVP_aes_256_gcm() { return Crypto().EVP_aes_256_gcm(); }

const EVP_MD* EVP_sha1() { return Crypto().EVP_sha1(); }

const EVP_MD* EVP_sha256() { return Crypto().EVP_sha256(); }

unsigned char* HMAC(const EVP_MD* evp_md, const void* key, int key_len, const unsigned char* data,
                    size_t data_len, unsigned char* md, unsigned int* md_len) {
  return Crypto().HMAC(evp_md, key, key_len, data, data_len, md, md_len);
}

int PKCS5_PBKDF2_HMAC(const char* pass, int passlen, const unsigned char* salt, int saltlen,
                      int iter, const EVP_MD* digest, int keylen, unsigned char* out) {
  return Crypto().PKCS5_PBKDF2_HMAC(pass, passlen, salt, saltlen, iter, digest, keylen, out);
}

int RAND_bytes(unsigned char* buf, int num) { return Crypto().RAND_bytes(buf, num); }

unsigned char* SHA256(const unsigned char* d, size_t n, unsigned char* md) {
  return Crypto().SHA256(d, n, md);
}

}  // extern "C"
