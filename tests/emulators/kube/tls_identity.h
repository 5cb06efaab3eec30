// A throwaway certificate authority and server certificate for the emulator's HTTPS listener.
#pragma once

#include <string>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace cairn::emulators {

/// A CA and a server certificate it signed for 127.0.0.1 and localhost, valid for a day.
class TlsIdentity {
 public:
  TlsIdentity();
  ~TlsIdentity();
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;

  bool ok() const { return server_cert_ != nullptr; }
  X509* server_cert() const { return server_cert_; }
  EVP_PKEY* server_key() const { return server_key_; }
  std::string ca_pem() const { return ca_pem_; }

 private:
  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_cert_ = nullptr;
  EVP_PKEY* server_key_ = nullptr;
  X509* server_cert_ = nullptr;
  std::string ca_pem_;
};

}  // namespace cairn::emulators
