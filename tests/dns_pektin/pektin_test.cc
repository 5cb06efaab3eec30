// End-to-end tests of the pektin provider: the cairn binary against the pektin-api emulator
// (tests/emulators/pektin), in both credential styles and behind perimeter Basic auth.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/emulators/pektin/pektin_emulator.h"
#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

using nlohmann::json;

class PektinTest : public ::testing::Test {
 protected:
  void StartEmulator(emulators::PektinEmulatorOptions options) {
    em_ = std::make_unique<emulators::PektinEmulator>(options);
    Status s = em_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
  }
  void SetUp() override {
    emulators::PektinEmulatorOptions o;
    o.confidant_password = "c.confidant-secret";
    o.authorization = "Basic ZWRnZTpnYXRlLXBhc3M=";  // edge:gate-pass
    StartEmulator(o);
  }

  /// Writes blueprint.yaml: `settings` for providers.pektin (endpoint added), then `body`.
  void WriteBlueprint(const std::string& settings, const std::string& body) {
    WriteFile(dir_.Join("blueprint.yaml"),
              "secrets: { pektin_password: env:PEKTIN_PASSWORD, pektin_token: env:PEKTIN_TOKEN,\n"
              "           gate: env:GATE_PASSWORD }\n"
              "providers:\n"
              "  pektin:\n"
              "    endpoint: " +
                  em_->url() + "\n" + settings + body);
  }
  void WriteBlueprint(const std::string& body) { WriteBlueprint(kPasswordSettings, body); }

  CommandResult Cairn(std::vector<std::string> args) {
    args.insert(args.begin(), CairnBinary());
    return RunCommand(args, dir_.path(),
                      {"NO_COLOR=1", "PEKTIN_PASSWORD=c.confidant-secret",
                       "PEKTIN_TOKEN=hvs.vault-token", "GATE_PASSWORD=gate-pass"});
  }
  void Apply() {
    CommandResult r = Cairn({"apply", "--auto-approve"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void ExpectNoChanges() {
    CommandResult r = Cairn({"plan", "--detailed-exitcode"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  static constexpr const char* kPasswordSettings =
      "    username: cairn\n"
      "    confidant_password: ${secrets.pektin_password}\n"
      "    perimeter_username: edge\n"
      "    perimeter_password: ${secrets.gate}\n";

  std::unique_ptr<emulators::PektinEmulator> em_;
  TempDir dir_;
};

const char kZone[] =
    "dns:\n"
    "  provider: pektin\n"
    "  nameservers: [ns1.example.org, ns2.example.org]\n"
    "  zones:\n"
    "    - name: example.org\n"
    "      records:\n"
    "        - { name: \"@\", type: A, value: 203.0.113.10, ttl: 300 }\n"
    "        - { name: \"@\", type: MX, value: mail.example.org., priority: 10 }\n"
    "        - { name: \"@\", type: TXT, values: [\"v=spf1 mx -all\"] }\n"
    "        - { name: \"@\", type: CAA, value: '0 issue \"letsencrypt.org\"' }\n"
    "        - { name: _submissions._tcp, type: SRV, value: \"0 465 mail.example.org.\", "
    "priority: 0 }\n"
    "        - { name: www, type: CNAME, value: example.org. }\n"
    "    - { name: example.net, records: [{ name: www, type: A, value: 192.0.2.7 }] }\n";

TEST_F(PektinTest, AZoneGetsItsSoaAndTheRecordsTheirPektinShape) {
  WriteBlueprint(kZone);
  Apply();
  json soa = em_->Record("example.org.", "SOA");
  ASSERT_FALSE(soa.is_null());
  EXPECT_EQ(soa["rr_set"][0]["mname"], "ns1.example.org.");
  EXPECT_EQ(soa["rr_set"][0]["rname"], "hostmaster.example.org.");
  EXPECT_EQ(em_->Record("example.org.", "NS")["rr_set"],
            json::parse(R"([{"value":"ns1.example.org."},{"value":"ns2.example.org."}])"));
  EXPECT_EQ(em_->Record("example.org.", "A")["rr_set"],
            json::parse(R"([{"value":"203.0.113.10"}])"));
  EXPECT_EQ(em_->Record("example.org.", "A")["ttl"], 300);
  EXPECT_EQ(em_->Record("example.org.", "MX")["rr_set"],
            json::parse(R"([{"preference":10,"exchange":"mail.example.org."}])"));
  EXPECT_EQ(em_->Record("example.org.", "TXT")["rr_set"],
            json::parse(R"([{"value":"v=spf1 mx -all"}])"));
  EXPECT_EQ(em_->Record("example.org.", "CAA")["rr_set"],
            json::parse(R"([{"issuer_critical":false,"tag":"issue","value":"letsencrypt.org"}])"));
  EXPECT_EQ(em_->Record("_submissions._tcp.example.org.", "SRV")["rr_set"],
            json::parse(R"([{"priority":0,"weight":0,"port":465,"target":"mail.example.org."}])"));
  EXPECT_EQ(em_->Record("www.example.org.", "CNAME")["rr_set"],
            json::parse(R"([{"value":"example.org."}])"));

  EXPECT_EQ(em_->Record("www.example.net.", "A")["rr_set"],
            json::parse(R"([{"value":"192.0.2.7"}])"));

  // A refresh reads both zones and all their records in two calls, not one per zone or record.
  size_t before = em_->request_count("/get-zone-records");
  size_t gets = em_->request_count("/get");
  ExpectNoChanges();
  EXPECT_EQ(em_->request_count("/get-zone-records") - before, 2u)
      << "one for the zones, one for their records";
  EXPECT_EQ(em_->request_count("/get"), gets);
}

TEST_F(PektinTest, AVaultTokenWorksInsteadOfTheConfidantPassword) {
  emulators::PektinEmulatorOptions o;
  o.client_token = "hvs.vault-token";
  StartEmulator(o);
  WriteBlueprint(
      "    username: cairn\n    client_token: ${secrets.pektin_token}\n",
      "dns:\n  provider: pektin\n  zones:\n"
      "    - { name: example.org, records: [{ name: www, type: A, value: 192.0.2.1 }] }\n");
  Apply();
  EXPECT_EQ(em_->Record("www.example.org.", "A")["rr_set"],
            json::parse(R"([{"value":"192.0.2.1"}])"));
  ExpectNoChanges();
}

TEST_F(PektinTest, RefusedCredentialsSayWhichOnes) {
  WriteBlueprint(
      "    username: cairn\n    confidant_password: wrong\n"
      "    perimeter_username: edge\n    perimeter_password: ${secrets.gate}\n",
      "dns:\n  provider: pektin\n  zones: [{ name: example.org }]\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("pektin-api refused the credentials"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Invalid username or password"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("confidant_password or client_token"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrong"), std::string::npos) << "no secret in messages";

  WriteBlueprint("    username: cairn\n    confidant_password: ${secrets.pektin_password}\n",
                 "dns:\n  provider: pektin\n  zones: [{ name: example.org }]\n");
  r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("reverse proxy in front refused"), std::string::npos) << r.err;
}

// The emulator's /health answers as pektin-api's: the health fields in the envelope, and a
// plain-text body (no envelope) when the credentials are refused.
TEST_F(PektinTest, TheEmulatorsHealthAnswersInPektinApisShapes) {
  const std::string gate = "Basic ZWRnZTpnYXRlLXBhc3M=";
  std::string out;
  ASSERT_EQ(
      em_->Handle("/health", "application/json", gate,
                  R"({"client_username":"cairn","confidant_password":"c.confidant-secret"})", &out),
      200);
  json doc = json::parse(out);
  EXPECT_EQ(doc["type"], "success");
  EXPECT_EQ(doc["data"]["all"], true);
  EXPECT_EQ(doc["data"]["vault"], 200);
  ASSERT_EQ(em_->Handle("/health", "application/json", gate,
                        R"({"client_username":"cairn","confidant_password":"wrong"})", &out),
            401);
  EXPECT_TRUE(json::parse(out, nullptr, false).is_discarded()) << out;
  ASSERT_EQ(
      em_->Handle("/get", "application/json", gate,
                  R"({"client_username":"cairn","confidant_password":"wrong","records":[]})", &out),
      401);
  doc = json::parse(out);
  EXPECT_EQ(doc["type"], "error");
  EXPECT_TRUE(doc["data"].is_null());
}

// As pektin-api's, the emulator's /set refuses a record without a TTL (a required field).
TEST_F(PektinTest, TheEmulatorRefusesARecordWithoutTtl) {
  std::string out;
  EXPECT_EQ(em_->Handle("/set", "application/json", "Basic ZWRnZTpnYXRlLXBhc3M=",
                        R"({"client_username":"cairn","confidant_password":"c.confidant-secret",
                            "records":[{"name":"example.org.","rr_type":"SOA","rr_set":[
                              {"mname":"ns1.example.org.","rname":"hostmaster.example.org.",
                               "serial":1,"refresh":1,"retry":1,"expire":1,"minimum":1}]}]})",
                        &out),
            400);
  EXPECT_NE(out.find("missing field `ttl`"), std::string::npos) << out;
  EXPECT_TRUE(em_->Record("example.org.", "SOA").is_null());
}

TEST_F(PektinTest, TheServersRejectionIsQuotedPerRecord) {
  // A record set in a zone the blueprint does not create: pektin-api needs the zone's SOA.
  WriteBlueprint(
      "resources:\n"
      "  pektin.record.www:\n"
      "    zone: example.net.\n"
      "    name: www.example.net.\n"
      "    type: A\n"
      "    values: [192.0.2.1]\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("pektin-api answered 400"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("zone that does not have a SOA record"), std::string::npos) << r.err;
}

TEST_F(PektinTest, ChangesOnTheServerAreShownAndAnAuthoritativeZoneRemovesStrays) {
  WriteBlueprint(
      "dns:\n  provider: pektin\n  zones:\n"
      "    - name: example.org\n      authoritative: true\n"
      "      records: [{ name: www, type: A, value: 192.0.2.1 }]\n");
  Apply();
  em_->PutRecord(json::parse(R"({"name":"www.example.org.","rr_type":"A","ttl":3600,)"
                             R"("rr_set":[{"value":"192.0.2.66"}]})"));
  em_->PutRecord(json::parse(R"({"name":"stray.example.org.","rr_type":"TXT","ttl":60,)"
                             R"("rr_set":[{"value":"left behind"}]})"));
  CommandResult plan = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("192.0.2.66"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("- \"stray.example.org. TXT\""), std::string::npos) << plan.out;
  Apply();
  EXPECT_EQ(em_->Record("www.example.org.", "A")["rr_set"],
            json::parse(R"([{"value":"192.0.2.1"}])"));
  EXPECT_TRUE(em_->Record("stray.example.org.", "TXT").is_null());
  ExpectNoChanges();

  // Destroying the zone removes its SOA together with everything in it.
  CommandResult r = Cairn({"destroy", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(em_->Record("example.org.", "SOA").is_null());
  EXPECT_TRUE(em_->Record("www.example.org.", "A").is_null());
}

TEST_F(PektinTest, AZoneThatExistsIsAdoptedWithImport) {
  em_->PutRecord(json::parse(
      R"({"name":"example.org.","rr_type":"SOA","ttl":3600,"rr_set":[{"mname":"ns1.example.org.",)"
      R"("rname":"hostmaster.example.org.","serial":1,"refresh":10800,"retry":3600,)"
      R"("expire":604800,"minimum":3600}]})"));
  em_->PutRecord(json::parse(R"({"name":"example.org.","rr_type":"NS","ttl":3600,)"
                             R"("rr_set":[{"value":"ns1.example.org."}]})"));
  em_->PutRecord(json::parse(R"({"name":"www.example.org.","rr_type":"A","ttl":3600,)"
                             R"("rr_set":[{"value":"192.0.2.1"}]})"));
  WriteBlueprint(
      "dns:\n  provider: pektin\n  zones:\n"
      "    - { name: example.org, records: [{ name: www, type: A, value: 192.0.2.1 }] }\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("cairn import pektin.zone.example_org example.org."), std::string::npos)
      << r.err;
  r = Cairn({"import", "pektin.zone.example_org", "example.org."});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cairn({"import", "pektin.record.www_example_org_A", "www.example.org./A"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ExpectNoChanges();
}

}  // namespace
}  // namespace cairn::testing
