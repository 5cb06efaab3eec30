#include "engine/git/known_hosts.h"

#include <fstream>
#include <sstream>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace cairn::git {
namespace {

// Decodes standard base64; false on malformed input.
bool DecodeBase64(const std::string& in, std::string* out) {
  if (in.empty() || in.size() % 4 != 0) return false;
  std::string buf(in.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buf.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0) return false;
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  buf.resize(static_cast<size_t>(n) - pad);
  *out = std::move(buf);
  return true;
}

std::string EncodeBase64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Shell-style match of `name` against `pattern` with * and ?, as known_hosts patterns are.
bool Glob(const char* pattern, const char* name) {
  if (*pattern == '\0') return *name == '\0';
  if (*pattern == '*') return Glob(pattern + 1, name) || (*name != '\0' && Glob(pattern, name + 1));
  if (*name == '\0') return false;
  return (*pattern == '?' || *pattern == *name) && Glob(pattern + 1, name + 1);
}

// Whether the hashed entry "|1|salt|hash" names `name` (HMAC-SHA1 of the name keyed by salt).
bool HashedMatch(const std::string& entry, const std::string& name) {
  size_t bar = entry.find('|', 3);
  if (entry.rfind("|1|", 0) != 0 || bar == std::string::npos) return false;
  std::string salt, hash;
  if (!DecodeBase64(entry.substr(3, bar - 3), &salt) || !DecodeBase64(entry.substr(bar + 1), &hash))
    return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()),
           reinterpret_cast<const unsigned char*>(name.data()), name.size(), mac,
           &mac_len) == nullptr)
    return false;
  return hash == std::string(reinterpret_cast<char*>(mac), mac_len);
}

// Whether the comma-separated host patterns of a line name `name`; a negated pattern that
// matches excludes the line.
bool HostsMatch(const std::string& hosts, const std::string& name) {
  if (hosts.rfind("|1|", 0) == 0) return HashedMatch(hosts, name);
  bool matched = false;
  std::stringstream in(hosts);
  std::string pattern;
  while (std::getline(in, pattern, ',')) {
    bool negated = !pattern.empty() && pattern[0] == '!';
    if (negated) pattern.erase(0, 1);
    if (!Glob(pattern.c_str(), name.c_str())) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

// The key type named at the start of an SSH wire-format key blob ("ssh-ed25519").
std::string BlobType(const std::string& blob) {
  if (blob.size() < 4) return "unknown";
  size_t n = (static_cast<unsigned char>(blob[0]) << 24) |
             (static_cast<unsigned char>(blob[1]) << 16) |
             (static_cast<unsigned char>(blob[2]) << 8) | static_cast<unsigned char>(blob[3]);
  if (n > blob.size() - 4) return "unknown";
  return blob.substr(4, n);
}

}  // namespace

bool ParseSshEndpoint(const std::string& url, SshEndpoint* out) {
  std::string rest;
  bool scp_like = false;
  for (const char* scheme : {"ssh://", "ssh+git://", "git+ssh://"}) {
    if (url.rfind(scheme, 0) == 0) rest = url.substr(std::string(scheme).size());
  }
  if (rest.empty()) {
    // [user@]host:path, as git understands it: no scheme, a colon before any slash.
    size_t colon = url.find(':'), slash = url.find('/');
    if (url.find("://") != std::string::npos || colon == std::string::npos ||
        (slash != std::string::npos && slash < colon))
      return false;
    rest = url;
    scp_like = true;
  }
  size_t at = rest.find('@');
  size_t end = rest.find(scp_like ? ':' : '/');
  if (at != std::string::npos && (end == std::string::npos || at < end)) {
    rest.erase(0, at + 1);
    end = rest.find(scp_like ? ':' : '/');
  }
  std::string hostport = rest.substr(0, end);
  out->port = 22;
  if (!scp_like) {
    size_t close = hostport.find(']');
    size_t colon = hostport.rfind(':');
    if (hostport.rfind('[', 0) == 0 && close != std::string::npos) {
      if (colon != std::string::npos && colon > close)
        out->port = std::atoi(hostport.c_str() + colon + 1);
      hostport = hostport.substr(1, close - 1);
    } else if (colon != std::string::npos) {
      out->port = std::atoi(hostport.c_str() + colon + 1);
      hostport.resize(colon);
    }
  }
  out->host = hostport;
  return !out->host.empty() && out->port > 0;
}

std::string KnownHostsName(const SshEndpoint& e) {
  return e.port == 22 ? e.host : "[" + e.host + "]:" + std::to_string(e.port);
}

std::string HostKeyFingerprint(const std::string& key_blob) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key_blob.data()), key_blob.size(), digest);
  std::string b64 = EncodeBase64(digest, sizeof digest);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return BlobType(key_blob) + " SHA256:" + b64;
}

Status CheckHostKey(const std::string& known_hosts, const SshEndpoint& e,
                    const std::string& key_blob) {
  std::string name = KnownHostsName(e);
  std::string scan = "ssh-keyscan -p " + std::to_string(e.port) + " " + e.host;
  std::ifstream in(known_hosts);
  if (!in)
    return Status::Error("cannot read the known hosts file " + known_hosts + ", so the ssh host " +
                             name + " cannot be verified",
                         "record the host's key: " + scan + " >> " + known_hosts +
                             " (after checking its fingerprint), or pass --known-hosts FILE");
  // Every line is read: a @revoked line wins over one that lists the key, wherever it is.
  bool host_listed = false, key_listed = false, revoked = false;
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string first, hosts, type, key;
    if (!(fields >> first) || first[0] == '#') continue;
    std::string marker;
    if (first[0] == '@') {
      marker = first;
      if (!(fields >> hosts)) continue;
    } else {
      hosts = first;
    }
    std::string blob;
    if (!(fields >> type >> key) || !DecodeBase64(key, &blob)) continue;
    if (marker == "@revoked") {
      revoked = revoked || blob == key_blob;  // revoked for every host
      continue;
    }
    if (!marker.empty() || !HostsMatch(hosts, name)) continue;  // @cert-authority: unsupported
    host_listed = true;
    key_listed = key_listed || blob == key_blob;
  }
  std::string fp = HostKeyFingerprint(key_blob);
  if (revoked)
    return Status::Error(
        "the host key of " + name + " (" + fp + ") is marked revoked in " + known_hosts,
        "the server must use another host key");
  if (key_listed) return Status::Ok();
  if (host_listed)
    return Status::Error("the host key of " + name + " (" + fp + ") does not match the one in " +
                             known_hosts + ": the host may be impersonated, or its key changed",
                         "if the key changed on purpose, replace the host's line in " +
                             known_hosts + " with the output of " + scan);
  return Status::Error(
      "the ssh host " + name + " (" + fp + ") is not in the known hosts file " + known_hosts,
      "after checking the fingerprint, record the key: " + scan + " >> " + known_hosts);
}

}  // namespace cairn::git
