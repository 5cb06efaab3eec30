// An emulator of pektin-api, the HTTP API of the Pektin DNS server, for tests of DNS clients.
//
// It is an EMULATOR, not Pektin: it answers the published request and response shapes of
// pektin-api (the firstdorsal/pektin-api methods and pektin-common record types, as summarised
// in shared/reference/APIS.md section 5) so that a client tested against it behaves the same
// against a real server. Every endpoint is a POST with a JSON body and Content-Type
// application/json (anything else: 400 "Content type error: must be 'application/json'").
//
// Modelled: /health, /get, /get-zone-records, /set, /delete; both credential styles
// (client_username with confidant_password, as pektin-api; or with client_token, as its MOWS
// successor) and an optional perimeter `Authorization: Basic` check, as a reverse proxy in front
// would make; the response envelope {type, message, data} with per-item results, 400 for
// invalid items (the others "ignored"), 401 for bad credentials (in plain text from /health);
// record keys "<name>:<TYPE>" with lower-cased names; the checks of /set (absolute names, non-empty
// rr_set, the rr_set shape of each type, one SOA per SOA entry, a zone must have a SOA) and of
// /delete (absolute names; a SOA only together with every other record of its zone).
//
// Not modelled: Vault and Ribston (one fixed set of credentials stands for a client whose policy
// allows everything), DNSSEC signing (no RRSIG records, no transit keys), /search, Redis itself,
// and the DNS server that answers queries from the records.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace cairn::emulators {

/// Credentials the emulated pektin-api accepts.
struct PektinEmulatorOptions {
  std::string username = "cairn";
  std::string confidant_password;  // accepted when set (pektin-api style)
  std::string client_token;        // accepted when set (MOWS style)
  std::string authorization;       // required Authorization header value; "" = none
};

/// An in-process pektin-api emulator on a free 127.0.0.1 port.
class PektinEmulator {
 public:
  explicit PektinEmulator(PektinEmulatorOptions options);
  ~PektinEmulator();
  PektinEmulator(const PektinEmulator&) = delete;
  PektinEmulator& operator=(const PektinEmulator&) = delete;

  Status Start();
  void Stop();
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// Serves one request as the HTTP server does: path, Content-Type, Authorization, body.
  /// Returns the status and sets `body`.
  int Handle(const std::string& path, const std::string& content_type,
             const std::string& authorization, const std::string& body, std::string* out);

  /// The stored record of `name` (absolute) and `type`, or null.
  nlohmann::json Record(const std::string& name, const std::string& type) const;
  /// Stores a record directly (a change made by another client).
  void PutRecord(const nlohmann::json& record);
  /// Number of requests to `path` so far (e.g. "/get-zone-records").
  size_t request_count(const std::string& path) const;

 private:
  struct Http;
  nlohmann::json Route(const std::string& path, const nlohmann::json& body, int* status);
  nlohmann::json Get(const nlohmann::json& body, int* status);
  nlohmann::json GetZoneRecords(const nlohmann::json& body, int* status);
  nlohmann::json Set(const nlohmann::json& body, int* status);
  nlohmann::json Delete(const nlohmann::json& body, int* status);
  // The zone (a name holding a SOA) that `name` lies in, or "".
  std::string ZoneOf(const std::string& name) const;

  const PektinEmulatorOptions options_;
  std::unique_ptr<Http> http_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, nlohmann::json> db_;  // "<name>:<TYPE>" -> DbEntry
  std::map<std::string, size_t> counts_;
};

}  // namespace cairn::emulators
