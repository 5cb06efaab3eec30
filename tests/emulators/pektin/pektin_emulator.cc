#include "tests/emulators/pektin/pektin_emulator.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <thread>

#include <httplib.h>

namespace cairn::emulators {
namespace {

using nlohmann::json;

const char kIgnored[] = "ignored because another part of the request caused an error";

json Envelope(const std::string& type, const json& message, const json& data) {
  return {{"type", type}, {"message", message}, {"data", data}};
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool Absolute(const std::string& name) { return !name.empty() && name.back() == '.'; }

std::string Key(const std::string& name, const std::string& type) {
  return Lower(name) + ":" + type;
}

// The name part of a "<name>:<TYPE>" key.
std::string KeyName(const std::string& key) { return key.substr(0, key.rfind(':')); }

bool Under(const std::string& name, const std::string& zone) {
  return name == zone ||
         (name.size() > zone.size() &&
          name.compare(name.size() - zone.size() - 1, std::string::npos, "." + zone) == 0);
}

bool Has(const json& o, std::initializer_list<const char*> keys) {
  if (!o.is_object()) return false;
  for (const char* k : keys)
    if (!o.contains(k)) return false;
  return true;
}

// nullptr-like "" when the rr_set of `type` has the published shape, else why not.
std::string CheckRrSet(const std::string& type, const json& rr_set) {
  if (!rr_set.is_array() || rr_set.empty()) return "The record's RR set is empty.";
  for (const json& rr : rr_set) {
    bool ok = false;
    if (type == "A" || type == "AAAA" || type == "CNAME" || type == "NS" || type == "TXT" ||
        type == "OPENPGPKEY")
      ok = Has(rr, {"value"}) && rr["value"].is_string();
    else if (type == "MX")
      ok = Has(rr, {"preference", "exchange"}) && rr["preference"].is_number_unsigned();
    else if (type == "SOA")
      ok = Has(rr, {"mname", "rname", "serial", "refresh", "retry", "expire", "minimum"});
    else if (type == "SRV")
      ok = Has(rr, {"priority", "weight", "port", "target"});
    else if (type == "CAA")
      ok = Has(rr, {"issuer_critical", "tag", "value"}) && rr["issuer_critical"].is_boolean() &&
           (rr["tag"] == "issue" || rr["tag"] == "issuewild" || rr["tag"] == "iodef");
    else if (type == "TLSA")
      ok = Has(rr, {"cert_usage", "selector", "matching", "cert_data"});
    else
      return "The record type " + type + " cannot be set.";
    if (!ok) return "The record's RR set does not match its type " + type + ".";
    if ((type == "CNAME" || type == "NS") && !Absolute(rr["value"].get<std::string>()))
      return "The record's data contains a name that is not absolute.";
    if (type == "MX" && !Absolute(rr["exchange"].get<std::string>()))
      return "The record's data contains a name that is not absolute.";
  }
  if (type == "SOA" && rr_set.size() != 1) return "A SOA record must contain exactly one entry.";
  return "";
}

}  // namespace

struct PektinEmulator::Http {
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
};

PektinEmulator::PektinEmulator(PektinEmulatorOptions options)
    : options_(std::move(options)), http_(std::make_unique<Http>()) {}

PektinEmulator::~PektinEmulator() { Stop(); }

Status PektinEmulator::Start() {
  http_->server = std::make_unique<httplib::Server>();
  httplib::Server& s = *http_->server;
  s.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
    std::string body;
    res.status = Handle(req.path, req.get_header_value("Content-Type"),
                        req.get_header_value("Authorization"), req.body, &body);
    res.set_content(
        body, res.status == 401 && body.rfind("{", 0) != 0 ? "text/plain" : "application/json");
  });
  int port = s.bind_to_any_port("127.0.0.1");
  if (port <= 0) return Status::Error("the Pektin emulator could not listen on 127.0.0.1");
  port_ = port;
  http_->thread = std::thread([this] { http_->server->listen_after_bind(); });
  while (!http_->server->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void PektinEmulator::Stop() {
  if (!http_->server) return;
  http_->server->stop();
  if (http_->thread.joinable()) http_->thread.join();
  http_->server.reset();
}

int PektinEmulator::Handle(const std::string& path, const std::string& content_type,
                           const std::string& authorization, const std::string& body,
                           std::string* out) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[path];
  }
  if (!options_.authorization.empty() && authorization != options_.authorization) {
    *out = "401 Unauthorized";  // the reverse proxy's answer, before pektin-api
    return 401;
  }
  if (content_type.rfind("application/json", 0) != 0) {
    *out = Envelope("error", "Content type error: must be 'application/json'", nullptr).dump();
    return 400;
  }
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    *out = Envelope("error", "Json deserialize error: expected an object", nullptr).dump();
    return 400;
  }
  int status = 200;
  *out = Route(path, doc, &status).dump();
  // pektin-api's /health answers refused credentials in plain text, not in the envelope.
  if (status == 401 && path == "/health") *out = "Invalid username or password";
  return status;
}

json PektinEmulator::Route(const std::string& path, const json& body, int* status) {
  std::string user = body.value("client_username", "");
  bool authed = user == options_.username && !user.empty();
  if (path == "/health" || body.contains("confidant_password")) {
    authed = authed && !options_.confidant_password.empty() &&
             body.value("confidant_password", "") == options_.confidant_password;
  } else {
    authed = authed && !options_.client_token.empty() &&
             body.value("client_token", "") == options_.client_token;
  }
  if (!authed) {
    *status = 401;
    return Envelope("error", "Invalid username or password\n", nullptr);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (path == "/health")
    return Envelope("success", "health check",
                    {{"api", true}, {"db", true}, {"vault", 200}, {"ribston", 200}, {"all", true}});
  if (path == "/get") return Get(body, status);
  if (path == "/get-zone-records") return GetZoneRecords(body, status);
  if (path == "/set") return Set(body, status);
  if (path == "/delete") return Delete(body, status);
  *status = 404;
  return Envelope("error", "not found", nullptr);
}

std::string PektinEmulator::ZoneOf(const std::string& name) const {
  std::string best;
  for (const auto& [key, rec] : db_) {
    if (key.size() < 4 || key.compare(key.size() - 4, 4, ":SOA") != 0) continue;
    std::string zone = KeyName(key);
    if (Under(Lower(name), zone) && zone.size() > best.size()) best = zone;
  }
  return best;
}

json PektinEmulator::Get(const json& body, int* status) {
  json items = json::array();
  size_t found = 0;
  for (const json& id : body.value("records", json::array())) {
    auto it = db_.find(Key(id.value("name", ""), id.value("rr_type", "")));
    if (it == db_.end()) {
      items.push_back(Envelope("error", "no record found", nullptr));
    } else {
      items.push_back(Envelope("success", "record found", it->second));
      ++found;
    }
  }
  *status = 200;
  if (items.empty()) return Envelope("success", "got records", json::array());
  if (found == items.size()) return Envelope("success", "got records", items);
  if (found == 0) return Envelope("error", "couldn't get records", items);
  return Envelope("partial-success", "couldn't get all records", items);
}

json PektinEmulator::GetZoneRecords(const json& body, int* status) {
  json items = json::array();
  size_t ok = 0;
  for (const json& n : body.value("names", json::array())) {
    std::string zone = Lower(n.get<std::string>());
    if (!Absolute(zone)) {
      items.push_back(Envelope("error", "non-absolute name", nullptr));
      continue;
    }
    if (db_.count(zone + ":SOA") == 0) {
      items.push_back(Envelope("error", "not found", nullptr));
      continue;
    }
    json records = json::array();
    for (const auto& [key, rec] : db_)
      if (ZoneOf(KeyName(key)) == zone) records.push_back(rec);
    items.push_back(Envelope("success", "got records", records));
    ++ok;
  }
  *status = 200;
  if (items.empty()) return Envelope("success", "got records", json::array());
  if (ok == items.size()) return Envelope("success", "got records", items);
  if (ok == 0) return Envelope("error", "couldn't get records", items);
  return Envelope("partial-success", "couldn't get records for all zones", items);
}

json PektinEmulator::Set(const json& body, int* status) {
  const json records = body.value("records", json::array());
  for (const json& r : records) {
    if (!r.is_object() || !r.contains("ttl") || !r["ttl"].is_number_unsigned()) {
      *status = 400;  // DbEntry's ttl is a required u32: serde refuses the whole body
      return Envelope("error", "Json deserialize error: missing field `ttl`", nullptr);
    }
  }
  std::set<std::string> new_soas;
  for (const json& r : records)
    if (r.value("rr_type", "") == "SOA") new_soas.insert(Lower(r.value("name", "")));
  std::vector<std::string> errors;
  bool any = false;
  for (const json& r : records) {
    std::string name = r.value("name", ""), type = r.value("rr_type", "");
    std::string why;
    if (!Absolute(name)) {
      why = "The record's name is not absolute (i.e. the root label at the end is missing).";
    } else if (type == "RRSIG" || type == "DNSKEY") {
      why = "The record type " + type + " cannot be set manually.";
    } else {
      why = CheckRrSet(type, r.value("rr_set", json()));
    }
    if (why.empty()) {
      bool has_soa = !ZoneOf(name).empty();
      for (const std::string& z : new_soas) has_soa = has_soa || Under(Lower(name), z);
      if (!has_soa)
        why = "Tried to set one or more records for a zone that does not have a SOA record.";
    }
    any = any || !why.empty();
    errors.push_back(why);
  }
  if (any) {
    *status = 400;
    json items = json::array();
    for (const std::string& e : errors)
      items.push_back(e.empty() ? json{{"type", "ignored"}, {"message", kIgnored}}
                                : json{{"type", "error"}, {"message", e}});
    return Envelope("error", "One or more records were invalid.", items);
  }
  json items = json::array();
  for (const json& r : records) {
    json entry = {{"name", Lower(r["name"].get<std::string>())},
                  {"rr_type", r["rr_type"]},
                  {"ttl", r["ttl"]},
                  {"rr_set", r["rr_set"]}};
    if (r.contains("meta")) entry["meta"] = r["meta"];
    db_[Key(entry["name"], entry["rr_type"])] = entry;
    items.push_back({{"type", "success"}, {"message", "set record"}});
  }
  *status = 200;
  return Envelope("success", "set records", items);
}

json PektinEmulator::Delete(const json& body, int* status) {
  const json records = body.value("records", json::array());
  std::set<std::string> keys;
  std::vector<std::string> errors;
  bool any = false;
  for (const json& r : records) {
    std::string name = r.value("name", "");
    errors.push_back(Absolute(name) ? "" : "The record's name is not absolute.");
    any = any || !Absolute(name);
    keys.insert(Key(name, r.value("rr_type", "")));
  }
  if (!any) {
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].value("rr_type", "") != "SOA") continue;
      std::string zone = Lower(records[i].value("name", ""));
      for (const auto& [key, rec] : db_)
        if (ZoneOf(KeyName(key)) == zone && keys.count(key) == 0) {
          errors[i] =
              "Requested to delete the zone's SOA record without also deleting all the other "
              "records in the zone.";
          any = true;
          break;
        }
    }
  }
  if (any) {
    *status = 400;
    json items = json::array();
    for (const std::string& e : errors)
      items.push_back(e.empty() ? json{{"type", "ignored"}, {"message", kIgnored}}
                                : json{{"type", "error"}, {"message", e}});
    return Envelope("error", "One or more records were invalid.", items);
  }
  size_t removed = 0;
  for (const std::string& k : keys) removed += db_.erase(k);
  *status = 200;
  return Envelope("success", "removed " + std::to_string(removed) + " records", removed);
}

json PektinEmulator::Record(const std::string& name, const std::string& type) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = db_.find(Key(name, type));
  return it == db_.end() ? json() : it->second;
}

void PektinEmulator::PutRecord(const json& record) {
  std::lock_guard<std::mutex> lock(mu_);
  db_[Key(record["name"], record["rr_type"])] = record;
}

size_t PektinEmulator::request_count(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(path);
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace cairn::emulators
