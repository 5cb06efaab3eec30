#include "tests/emulators/kube/tls_identity.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace cairn::emulators {
namespace {

bool AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return true;
}

X509* MakeCert(EVP_PKEY* key, const char* cn, long serial, X509* issuer, EVP_PKEY* issuer_key) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer ? issuer : cert;
  X509_set_issuer_name(cert, X509_get_subject_name(signer));
  bool ok = true;
  if (!issuer) {
    ok = AddExt(cert, cert, NID_basic_constraints, "critical,CA:TRUE") &&
         AddExt(cert, cert, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         AddExt(cert, cert, NID_subject_key_identifier, "hash");
  } else {
    ok = AddExt(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
         AddExt(cert, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
         AddExt(cert, issuer, NID_ext_key_usage, "serverAuth") &&
         AddExt(cert, issuer, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
         AddExt(cert, issuer, NID_authority_key_identifier, "keyid:always");
  }
  if (!ok || X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()) <= 0) {
    X509_free(cert);
    return nullptr;
  }
  return cert;
}

}  // namespace

TlsIdentity::TlsIdentity() {
  ca_key_ = EVP_EC_gen("P-256");
  server_key_ = EVP_EC_gen("P-256");
  if (!ca_key_ || !server_key_) return;
  ca_cert_ = MakeCert(ca_key_, "kube-emulator-ca", 1, nullptr, nullptr);
  if (!ca_cert_) return;
  server_cert_ = MakeCert(server_key_, "kube-apiserver", 2, ca_cert_, ca_key_);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, ca_cert_);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  ca_pem_.assign(data, n);
  BIO_free(bio);
}

TlsIdentity::~TlsIdentity() {
  X509_free(server_cert_);
  X509_free(ca_cert_);
  EVP_PKEY_free(server_key_);
  EVP_PKEY_free(ca_key_);
}

}  // namespace cairn::emulators
