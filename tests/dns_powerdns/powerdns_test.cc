// End-to-end tests of the powerdns provider: the cairn binary against a real pdns_server (sqlite3
// backend) started by the test, with every applied record checked by a DNS query (dig). The apps
// whose hosts imply records go to the Kubernetes API emulator, so that whole blueprints apply.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/dns_powerdns/pdns_server.h"
#include "tests/emulators/kube/kube_emulator.h"
#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

using Answers = std::vector<std::string>;

class PowerDnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = pdns_.Start();
    ASSERT_EQ(why, "") << "the PowerDNS tests need a real pdns_server: " << why;
    kube_ = std::make_unique<emulators::KubeEmulator>(emulators::KubeEmulatorOptions{});
    Status s = kube_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    kube_->WriteKubeconfig(dir_.Join("kubeconfig.yaml"));
  }

  /// Writes blueprint.yaml: the provider settings and plugin folder, then `body`.
  void WriteBlueprint(const std::string& body) {
    WriteFile(
        dir_.Join("blueprint.yaml"),
        "plugins: [" + SourceDir() +
            "/tests/dns_powerdns/plugins]\n"
            "secrets: { pdns_key: env:PDNS_TEST_KEY, kubeconfig: file:kubeconfig.yaml }\n"
            "providers:\n"
            "  powerdns:\n"
            "    api_url: " +
            pdns_.api_url() +
            "\n"
            "    api_key: ${secrets.pdns_key}\n"
            "  kubernetes: { kubeconfig_content: \"${secrets.kubeconfig}\", wait_timeout: 20 }\n" +
            body);
  }

  CommandResult Cairn(std::vector<std::string> args) {
    args.insert(args.begin(), CairnBinary());
    return RunCommand(args, dir_.path(), {"NO_COLOR=1", "PDNS_TEST_KEY=" + pdns_.api_key()});
  }

  void Apply() {
    CommandResult r = Cairn({"apply", "--auto-approve"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << pdns_.Log();
  }

  /// `cairn plan --detailed-exitcode` exits 0: nothing to change.
  void ExpectNoChanges() {
    CommandResult r = Cairn({"plan", "--detailed-exitcode"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  PdnsServer pdns_;
  std::unique_ptr<emulators::KubeEmulator> kube_;
  TempDir dir_;
};

const char kSite[] =
    "network:\n"
    "  virtual_ip: 192.168.10.10\n"
    "  ingress: { mode: public, public: { via: direct } }\n"
    "dns:\n"
    "  provider: powerdns\n"
    "  public_address: 203.0.113.10\n"
    "  public_address6: \"2001:db8::10\"\n"
    "  proxy_host: gw.example.org\n"
    "  nameservers: [ns1.example.org]\n"
    "  zones:\n"
    "    - name: example.org\n"
    "      records:\n"
    "        - { name: \"@\", type: A, value: 203.0.113.10, ttl: 300 }\n"
    "        - { name: www, type: CNAME, value: example.org. }\n"
    "        - { name: _dmarc, type: TXT, value: \"v=DMARC1; p=quarantine\" }\n"
    "        - { name: _submissions._tcp, type: SRV, value: \"0 465 mail.example.org.\", "
    "priority: 0 }\n"
    "        - { name: \"@\", type: CAA, value: '0 issue \"letsencrypt.org\"' }\n"
    "    - name: home.example.org\n"
    "apps:\n"
    "  - name: mail\n"
    "    image: mailserver:14\n"
    "    ports: [{ name: smtp, port: 25 }, { name: imaps, port: 993 }]\n"
    "    expose:\n"
    "      - { host: mail.example.org, port: 25 }\n"
    "      - { host: mail.example.org, port: 993 }\n"
    "  - name: media\n"
    "    image: jellyfin:10\n"
    "    ports: [{ name: http, port: 8096 }]\n"
    "    expose:\n"
    "      - { host: media.home.example.org, port: 8096, mode: local }\n";

TEST_F(PowerDnsTest, TheBlueprintsRecordsAndTheImpliedOnesAnswerQueries) {
  WriteBlueprint(kSite);
  CommandResult plan = Cairn({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("powerdns.record.mail_example_org_A will be created"), std::string::npos)
      << plan.out;
  Apply();

  EXPECT_EQ(pdns_.Dig("example.org", "A"), Answers{"203.0.113.10"});
  EXPECT_EQ(pdns_.Dig("www.example.org", "CNAME"), Answers{"example.org."});
  EXPECT_EQ(pdns_.Dig("_dmarc.example.org", "TXT"), Answers{"\"v=DMARC1; p=quarantine\""});
  EXPECT_EQ(pdns_.Dig("_submissions._tcp.example.org", "SRV"),
            Answers{"0 0 465 mail.example.org."});
  EXPECT_EQ(pdns_.Dig("example.org", "CAA"), Answers{"0 issue \"letsencrypt.org\""});
  // Implied by the apps: the public host at the public addresses, the local one at the
  // virtual IP, and the zone's mail going to the host that exposes port 25.
  EXPECT_EQ(pdns_.Dig("mail.example.org", "A"), Answers{"203.0.113.10"});
  EXPECT_EQ(pdns_.Dig("mail.example.org", "AAAA"), Answers{"2001:db8::10"});
  EXPECT_EQ(pdns_.Dig("media.home.example.org", "A"), Answers{"192.168.10.10"});
  EXPECT_EQ(pdns_.Dig("example.org", "MX"), Answers{"10 mail.example.org."});
  EXPECT_EQ(pdns_.Dig("gw.example.org", "A"), Answers{"203.0.113.10"});  // the proxy itself
  EXPECT_EQ(pdns_.Dig("example.org", "TXT"), Answers{"\"v=spf1 mx -all\""});
  EXPECT_EQ(pdns_.Dig("example.org", "NS"), Answers{"ns1.example.org."});
  Answers soa = pdns_.Dig("example.org", "SOA");
  ASSERT_EQ(soa.size(), 1u);
  EXPECT_EQ(soa[0].rfind("ns1.example.org. hostmaster.example.org. ", 0), 0u) << soa[0];
  ExpectNoChanges();

  // A record removed from the blueprint is deleted from the server.
  std::string text = ReadFile(dir_.Join("blueprint.yaml"));
  size_t at = text.find("        - { name: www, type: CNAME");
  text.erase(at, text.find('\n', at) + 1 - at);
  WriteFile(dir_.Join("blueprint.yaml"), text);
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "CNAME"), Answers{});
  ExpectNoChanges();
}

TEST_F(PowerDnsTest, ARecordFollowsAnAddressKnownOnlyAfterApply) {
  const std::string body =
      "resources:\n"
      "  testnet.server.proxy: { octet: 7 }\n"
      "network: { ingress: { mode: public, public: { via: direct } } }\n"
      "dns:\n"
      "  provider: powerdns\n"
      "  public_address: ${testnet.server.proxy.ipv4}\n"
      "  zones: [{ name: example.org }]\n"
      "apps:\n"
      "  - name: web\n"
      "    image: nginx:1\n"
      "    ports: [{ name: http, port: 80 }]\n"
      "    expose: [{ host: www.example.org, port: 80, mode: public }]\n";
  WriteBlueprint(body);
  CommandResult plan = Cairn({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  size_t record = plan.out.find("powerdns.record.www_example_org_A will be created");
  ASSERT_NE(record, std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("(known after apply)", record), std::string::npos) << plan.out;
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), Answers{"198.51.100.7"});
  ExpectNoChanges();

  // The server gets a new address: the record is planned for update with the value unknown,
  // and the same apply writes the new address.
  WriteBlueprint("resources:\n  testnet.server.proxy: { octet: 8 }\n" +
                 body.substr(body.find("network:")));
  plan = Cairn({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  record = plan.out.find("powerdns.record.www_example_org_A will be updated");
  ASSERT_NE(record, std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("(known after apply)", record), std::string::npos) << plan.out;
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), Answers{"198.51.100.8"});
  ExpectNoChanges();
}

TEST_F(PowerDnsTest, AnAuthoritativeZoneDeletesWhatTheBlueprintDoesNotName) {
  const std::string zones =
      "dns:\n"
      "  provider: powerdns\n"
      "  zones:\n"
      "    - name: example.org\n"
      "      authoritative: AUTH\n"
      "      records: [{ name: www, type: A, value: 192.0.2.1 }]\n";
  std::string shared = zones;
  shared.replace(shared.find("AUTH"), 4, "false");
  WriteBlueprint(shared);
  Apply();
  // Someone else's record in the zone.
  ASSERT_EQ(
      pdns_.Api(
          "PATCH", "/zones/example.org.",
          R"({"rrsets":[{"name":"stray.example.org.","type":"A","ttl":60,)"
          R"("changetype":"REPLACE","records":[{"content":"192.0.2.99","disabled":false}]}]})"),
      204);
  // A shared zone leaves it alone, and is not destroyed while it holds it.
  ExpectNoChanges();
  EXPECT_EQ(pdns_.Dig("stray.example.org", "A"), Answers{"192.0.2.99"});
  CommandResult destroy = Cairn({"destroy", "--auto-approve"});
  EXPECT_NE(destroy.exit_code, 0);
  EXPECT_NE(destroy.err.find("still holds record sets cairn does not manage: stray.example.org. A"),
            std::string::npos)
      << destroy.err;
  EXPECT_EQ(pdns_.Dig("stray.example.org", "A"), Answers{"192.0.2.99"});

  std::string owned = zones;
  owned.replace(owned.find("AUTH"), 4, "true");
  WriteBlueprint(owned);
  CommandResult plan = Cairn({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("- \"stray.example.org. A\""), std::string::npos) << plan.out;
  Apply();
  EXPECT_EQ(pdns_.Dig("stray.example.org", "A"), Answers{});
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), Answers{"192.0.2.1"});
  ExpectNoChanges();
}

TEST_F(PowerDnsTest, AChangeMadeOnTheServerIsShownAndUndone) {
  WriteBlueprint(
      "dns:\n"
      "  provider: powerdns\n"
      "  zones:\n"
      "    - name: example.org\n"
      "      records:\n"
      "        - { name: www, type: A, values: [192.0.2.1, 192.0.2.2], ttl: 600 }\n"
      "        - { name: \"@\", type: AAAA, value: \"2001:DB8:0::1\" }\n");
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), (Answers{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(pdns_.Dig("example.org", "AAAA"), Answers{"2001:db8::1"});
  ExpectNoChanges();  // the server's spelling of the IPv6 address is not a change

  ASSERT_EQ(
      pdns_.Api(
          "PATCH", "/zones/example.org.",
          R"({"rrsets":[{"name":"www.example.org.","type":"A","ttl":600,)"
          R"("changetype":"REPLACE","records":[{"content":"192.0.2.66","disabled":false}]}]})"),
      204);
  CommandResult plan = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("192.0.2.66"), std::string::npos) << plan.out;
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), (Answers{"192.0.2.1", "192.0.2.2"}));
}

TEST_F(PowerDnsTest, LongTextIsSplitIntoStringsOf255Bytes) {
  std::string key = "v=DKIM1; k=rsa; p=" + std::string(400, 'A');
  WriteBlueprint(
      "dns:\n"
      "  provider: powerdns\n"
      "  zones:\n"
      "    - name: example.org\n"
      "      records:\n"
      "        - { name: mail._domainkey, type: TXT, value: \"" +
      key + "\" }\n");
  Apply();
  Answers got = pdns_.Dig("mail._domainkey.example.org", "TXT");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], "\"" + key.substr(0, 255) + "\" \"" + key.substr(255) + "\"");
  ExpectNoChanges();
}

TEST_F(PowerDnsTest, DestroyRemovesTheZone) {
  WriteBlueprint(
      "dns:\n"
      "  provider: powerdns\n"
      "  zones: [{ name: example.org, records: [{ name: www, type: A, value: 192.0.2.1 }] }]\n");
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), Answers{"192.0.2.1"});
  CommandResult r = Cairn({"destroy", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(pdns_.Api("GET", "/zones/example.org.", ""), 404);
}

TEST_F(PowerDnsTest, AZoneThatExistsIsAdoptedWithImport) {
  ASSERT_EQ(
      pdns_.Api("POST", "/zones",
                R"({"name":"example.org.","kind":"Native","nameservers":["ns1.example.org."]})"),
      201);
  ASSERT_EQ(
      pdns_.Api(
          "PATCH", "/zones/example.org.",
          R"({"rrsets":[{"name":"www.example.org.","type":"A","ttl":3600,)"
          R"("changetype":"REPLACE","records":[{"content":"192.0.2.1","disabled":false}]}]})"),
      204);
  WriteBlueprint(
      "dns:\n"
      "  provider: powerdns\n"
      "  zones: [{ name: example.org, records: [{ name: www, type: A, value: 192.0.2.1 }] }]\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("zone example.org. already exists"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cairn import powerdns.zone.example_org example.org."), std::string::npos)
      << r.err;

  r = Cairn({"import", "powerdns.zone.example_org", "example.org."});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cairn({"import", "powerdns.record.www_example_org_A", "www.example.org./A"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  ExpectNoChanges();
}

TEST_F(PowerDnsTest, AWrongKeyAndAMissingZoneSayWhatToCheck) {
  WriteBlueprint(
      "resources:\n"
      "  powerdns.record.www:\n"
      "    zone: example.net.\n"
      "    name: www.example.net.\n"
      "    type: A\n"
      "    values: [192.0.2.1]\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("zone example.net. does not exist on the server"), std::string::npos)
      << r.err;

  std::string text = ReadFile(dir_.Join("blueprint.yaml"));
  text.replace(text.find("${secrets.pdns_key}"), 19, "not-the-key");
  WriteFile(dir_.Join("blueprint.yaml"), text);
  r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("PowerDNS refused the API key"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("providers.powerdns.api_key"), std::string::npos) << r.err;
}

TEST_F(PowerDnsTest, AnAddressChangedWithoutNoticeIsReportedAndFollowedOnTheNextApply) {
  const std::string body =
      "dns:\n"
      "  provider: powerdns\n"
      "  zones:\n"
      "    - name: example.org\n"
      "      records: [{ name: www, type: A, value: \"${testnet.quiet_server.proxy.ipv4}\" }]\n";
  WriteBlueprint("resources:\n  testnet.quiet_server.proxy: { octet: 7 }\n" + body);
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), Answers{"198.51.100.7"});

  // The provider's plan shows the address as unchanged; the apply changes it anyway.
  WriteBlueprint("resources:\n  testnet.quiet_server.proxy: { octet: 9 }\n" + body);
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string all = r.out + r.err;
  EXPECT_NE(all.find("testnet.quiet_server.proxy.ipv4 changed during apply although the plan "
                     "showed it unchanged, so powerdns.record.www_example_org_A still uses the "
                     "old value"),
            std::string::npos)
      << all;
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), Answers{"198.51.100.7"});
  // The next run sees the new address and updates the record.
  Apply();
  EXPECT_EQ(pdns_.Dig("www.example.org", "A"), Answers{"198.51.100.9"});
  ExpectNoChanges();
}

}  // namespace
}  // namespace cairn::testing
