#include <gtest/gtest.h>

#include "engine/base/json.h"
#include "engine/blueprint/blueprint.h"
#include "engine/blueprint/json_schema.h"
#include "tests/blueprint/blueprint_test_util.h"
#include "tests/support/test_support.h"

namespace cairn::blueprint {
namespace {

using testing::ValidateText;

std::string ValidateSummaries(const std::string& text) {
  Blueprint bp;
  Diagnostics diags;
  if (LoadString("bp.yaml", text, &bp, &diags)) Validate(bp, &diags);
  return testing::Summaries(diags);
}

// A small valid blueprint that tests extend with one mistake each.
const char kBase[] =
    "cluster:\n"
    "  name: lab\n"
    "nodes:\n"
    "  - name: n1\n"
    "    address: 10.0.0.1\n"
    "    role: server\n"
    "    ssh: {key: ssh_key}\n"
    "    disks:\n"
    "      - {device: /dev/sda, tier: fast}\n"
    "storage:\n"
    "  tiers:\n"
    "    - {name: fast, media: ssd, replicas: 2}\n"
    "secrets:\n"
    "  ssh_key: env:SSH_KEY\n";

TEST(ValidateTest, HomelabExampleIsClean) {
  Blueprint bp;
  Diagnostics diags;
  ASSERT_TRUE(LoadFile(cairn::testing::SourceDir() + "/blueprints/homelab.yaml", &bp, &diags))
      << RenderDiagnostics(diags, false);
  Validate(bp, &diags);
  EXPECT_TRUE(diags.empty()) << RenderDiagnostics(diags, false);
}

TEST(ValidateTest, BaseFixtureIsClean) { EXPECT_EQ(ValidateSummaries(kBase), ""); }

TEST(ValidateTest, EmbeddedSchemaIsTheOneInTheSourceTree) {
  std::string text =
      cairn::testing::ReadFile(cairn::testing::SourceDir() + "/schemas/blueprint.schema.json");
  Result<Value> on_disk = ParseJson(text);
  ASSERT_TRUE(on_disk.ok());
  EXPECT_TRUE(*on_disk == EmbeddedSchema()) << "re-run cmake to embed the edited schema";
}

// Validate compiles the embedded schema's patterns only when used, so check all of them here.
TEST(ValidateTest, EveryPatternOfTheEmbeddedSchemaCompiles) {
  JsonSchema up_front(EmbeddedSchema(), JsonSchema::Patterns::kUpFront);
  EXPECT_EQ(RenderDiagnostics(up_front.schema_problems(), false), "");
}

TEST(ValidateTest, UnknownTopLevelKeyPointsAtTheKeyWithHint) {
  EXPECT_EQ(ValidateText(std::string(kBase) + "storge:\n  tiers: []\n"),
            "blueprint.yaml:15:1: error: unknown property 'storge'\n"
            " 15 | storge:\n"
            "    | ^~~~~~~\n"
            "  hint: did you mean 'storage'?\n\n");
}

TEST(ValidateTest, EnumTypoGetsTheClosestValue) {
  EXPECT_EQ(ValidateText("storage:\n  tiers:\n    - {name: fast, media: sdd, replicas: 2}\n"),
            "blueprint.yaml:3:27: error: storage.tiers[0].media: expected one of \"hdd\", "
            "\"ssd\", got \"sdd\"\n"
            " 3 |     - {name: fast, media: sdd, replicas: 2}\n"
            "   |                           ^~~~\n"
            "  hint: did you mean 'ssd'?\n\n");
}

TEST(ValidateTest, WrongTypeSaysExpectedAndGot) {
  EXPECT_EQ(ValidateText("cluster:\n  name: [lab]\n"),
            "blueprint.yaml:2:9: error: cluster.name: expected string, got list\n"
            " 2 |   name: [lab]\n"
            "   |         ^~~~~\n\n");
}

TEST(ValidateTest, LiteralSecretIsRefusedWithoutEchoingIt) {
  std::string out = ValidateText("secrets:\n  db: hunter2\n");
  EXPECT_EQ(out,
            "blueprint.yaml:2:7: error: secrets.db: expected a reference env:NAME or file:PATH\n"
            " 2 |   db: hunter2\n"
            "   |       ^~~~~~~\n"
            "  hint: store it in an environment variable and write env:NAME\n\n");
}

TEST(ValidateTest, FiveMistakesGiveFiveDiagnosticsInSourceOrder) {
  std::string text = cairn::testing::ReadFile(cairn::testing::SourceDir() +
                                              "/tests/testdata/blueprint/five_mistakes.yaml");
  EXPECT_EQ(ValidateSummaries(text),
            "bp.yaml:4:14: error: nodes[0].address: \"10.0.0.300\" is not an IPv4 address\n"
            "bp.yaml:5:11: error: nodes[0].role: expected one of \"server\", \"agent\", \"voter\", "
            "got \"sever\"\n"
            "bp.yaml:11:7: error: storage.tiers[0]: unknown property 'replica'\n"
            "bp.yaml:18:15: error: apps[0].volumes[0].tier: unknown storage tier 'fats'\n"
            "bp.yaml:21:12: error: secrets.ssh_key: expected a reference env:NAME or file:PATH\n");
}

TEST(ValidateTest, FiveMistakesEachCarryAHint) {
  std::string text = cairn::testing::ReadFile(cairn::testing::SourceDir() +
                                              "/tests/testdata/blueprint/five_mistakes.yaml");
  Blueprint bp;
  Diagnostics diags;
  ASSERT_TRUE(LoadString("bp.yaml", text, &bp, &diags));
  Validate(bp, &diags);
  std::vector<std::string> hints;
  for (const Diagnostic& d : diags.items()) hints.push_back(d.hint);
  EXPECT_EQ(hints, (std::vector<std::string>{
                       "write an IPv4 or IPv6 address, or a host name",
                       "did you mean 'server'?",
                       "did you mean 'replicas'?",
                       "did you mean 'fast'?",
                       "store it in an environment variable and write env:NAME",
                   }));
}

TEST(ValidateTest, RootMustBeAMap) {
  EXPECT_EQ(ValidateSummaries("- a\n"), "bp.yaml:1:1: error: expected map, got list\n");
}

TEST(ValidateTest, UnknownStorageTierSuggestsADefinedOne) {
  Blueprint bp;
  Diagnostics diags;
  std::string text = std::string(kBase) +
                     "apps:\n  - name: web\n    image: nginx\n"
                     "    volumes: [{name: d, tier: fsat, size: 1Gi, mount: /d}]\n";
  ASSERT_TRUE(LoadString("bp.yaml", text, &bp, &diags));
  Validate(bp, &diags);
  ASSERT_EQ(diags.size(), 1u) << RenderDiagnostics(diags, false);
  EXPECT_EQ(diags.items()[0].path, "apps[0].volumes[0].tier");
  EXPECT_EQ(diags.items()[0].summary, "unknown storage tier 'fsat'");
  EXPECT_EQ(diags.items()[0].hint, "did you mean 'fast'?");
  EXPECT_EQ(diags.items()[0].loc.line, 18u);
}

TEST(ValidateTest, NodeDiskTierMustExist) {
  std::string text = kBase;
  text.replace(text.find("tier: fast"), 10, "tier: slow");
  Blueprint bp;
  Diagnostics diags;
  ASSERT_TRUE(LoadString("bp.yaml", text, &bp, &diags));
  Validate(bp, &diags);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags.items()[0].summary, "unknown storage tier 'slow'");
  EXPECT_EQ(diags.items()[0].hint, "defined storage tiers: fast");
}

TEST(ValidateTest, DuplicateNamesAreReportedAtTheSecond) {
  EXPECT_EQ(ValidateSummaries(std::string(kBase) +
                              "apps:\n  - {name: web, image: a}\n  - {name: web, image: b}\n"),
            "bp.yaml:17:12: error: apps[1].name: duplicate app name 'web'\n");
  EXPECT_EQ(ValidateSummaries("storage:\n  tiers:\n    - {name: a, media: ssd, replicas: 1}\n"
                              "    - {name: a, media: hdd, replicas: 1}\n"),
            "bp.yaml:4:14: error: storage.tiers[1].name: duplicate storage tier name 'a'\n");
}

TEST(ValidateTest, VolumeNamesAreUniquePerAppOnly) {
  std::string text =
      std::string(kBase) +
      "apps:\n"
      "  - {name: a, image: x, volumes: [{name: d, tier: fast, size: 1Gi, mount: /d}]}\n"
      "  - {name: b, image: x, volumes: [{name: d, tier: fast, size: 1Gi, mount: /d}]}\n";
  EXPECT_EQ(ValidateSummaries(text), "");
}

TEST(ValidateTest, ReferencedSecretsMustBeDeclared) {
  std::string text = kBase;
  text.replace(text.find("key: ssh_key"), 12, "key: ssh_kye");
  Blueprint bp;
  Diagnostics diags;
  ASSERT_TRUE(LoadString("bp.yaml", text, &bp, &diags));
  Validate(bp, &diags);
  ASSERT_EQ(diags.size(), 1u) << RenderDiagnostics(diags, false);
  EXPECT_EQ(diags.items()[0].path, "nodes[0].ssh.key");
  EXPECT_EQ(diags.items()[0].summary, "unknown secret 'ssh_kye'");
  EXPECT_EQ(diags.items()[0].hint, "did you mean 'ssh_key'?");
}

TEST(ValidateTest, SecretReferenceMustBeANameNotAnEnvReference) {
  std::string text = kBase;
  text.replace(text.find("key: ssh_key"), 12, "key: env:SSH");
  EXPECT_EQ(ValidateSummaries(text),
            "bp.yaml:7:16: error: nodes[0].ssh.key: expected the name of an entry in secrets:\n");
}

TEST(ValidateTest, AppEnvSecretsAndMountedSecretsMustBeDeclared) {
  EXPECT_EQ(
      ValidateSummaries(std::string(kBase) +
                        "apps:\n  - name: web\n    image: nginx\n"
                        "    env: {A: plain, B: {secret: nope}}\n    secrets: [ssh_key, gone]\n"),
      "bp.yaml:18:33: error: apps[0].env.B.secret: unknown secret 'nope'\n"
      "bp.yaml:19:24: error: apps[0].secrets[1]: unknown secret 'gone'\n");
}

TEST(ValidateTest, AtLeastOneServerNode) {
  std::string text = kBase;
  text.replace(text.find("role: server"), 12, "role: agent");
  EXPECT_EQ(ValidateSummaries(text), "bp.yaml:4:3: error: nodes: no node has role 'server'\n");
}

TEST(ValidateTest, AllowedPeersMustBeAppsOrCidrs) {
  EXPECT_EQ(ValidateSummaries(std::string(kBase) +
                              "apps:\n"
                              "  - {name: db, image: pg, allow: [web, 10.0.0.0/8, wbe2]}\n"
                              "  - {name: web, image: nginx}\n"),
            "bp.yaml:16:52: error: apps[0].allow[2]: unknown app 'wbe2'\n");
}

TEST(ValidateTest, ExposeHostOutsideDnsZonesIsAWarning) {
  Blueprint bp;
  Diagnostics diags;
  std::string text = std::string(kBase) +
                     "dns:\n  provider: powerdns\n  zones: [{name: example.org}]\n"
                     "apps:\n  - name: web\n    image: nginx\n"
                     "    expose: [{host: web.example.org, port: 80, mode: local},"
                     " {host: web.other.net, port: 80, mode: local}]\n";
  ASSERT_TRUE(LoadString("bp.yaml", text, &bp, &diags));
  Validate(bp, &diags);
  ASSERT_EQ(diags.size(), 1u) << RenderDiagnostics(diags, false);
  EXPECT_EQ(diags.items()[0].severity, Severity::kWarning);
  EXPECT_EQ(diags.items()[0].summary, "host 'web.other.net' is not inside any DNS zone");
  EXPECT_FALSE(diags.has_errors());
}

TEST(ValidateTest, ExposedPortMustBeDeclaredWhenPortsAreListed) {
  EXPECT_EQ(ValidateSummaries(std::string(kBase) +
                              "apps:\n  - name: web\n    image: nginx\n    ports: [{port: 80}]\n"
                              "    expose: [{host: a.example.org, port: 8080, mode: local}]\n"),
            "bp.yaml:19:42: error: apps[0].expose[0].port: port 8080 is not one of the app's "
            "ports\n");
}

TEST(ValidateTest, VpnEgressNeedsTheTunnel) {
  EXPECT_EQ(
      ValidateSummaries(std::string(kBase) + "apps:\n  - {name: dl, image: qbt, egress: vpn}\n"),
      "bp.yaml:16:36: error: apps[0].egress: egress through the VPN, but "
      "network.egress.vpn is not set\n");
  // The schema itself requires the tunnel when it is the default route.
  EXPECT_EQ(ValidateSummaries(std::string(kBase) + "network:\n  egress: {mode: vpn}\n"),
            "bp.yaml:16:11: error: network.egress: missing required property 'vpn'\n");
}

TEST(ValidateTest, PublicIngressNeedsTheProxy) {
  EXPECT_EQ(ValidateSummaries(std::string(kBase) + "network:\n  ingress: {mode: public}\n"),
            "bp.yaml:16:19: error: network.ingress.mode: public ingress goes through the cloud "
            "proxy, but there is no proxy: section\n");
  EXPECT_EQ(ValidateSummaries(std::string(kBase) +
                              "network:\n  ingress: {mode: public, public: {via: direct}}\n"),
            "");
}

TEST(ValidateTest, DnsRecordRules) {
  std::string text =
      "dns:\n  provider: powerdns\n  zones:\n    - name: example.org\n      records:\n"
      "        - {name: '@', type: MX, value: mail.example.org.}\n"
      "        - {name: www, type: CNAME}\n"
      "        - {name: x, type: A, value: 1.2.3.4, values: [1.2.3.5]}\n";
  EXPECT_EQ(ValidateSummaries(text),
            "bp.yaml:6:11: error: dns.zones[0].records[0]: missing required property 'priority'\n"
            "bp.yaml:7:11: error: dns.zones[0].records[1]: missing required property 'value'\n"
            "bp.yaml:8:11: error: dns.zones[0].records[2]: must not be both 'value' and 'values' "
            "(excluded by 'not')\n");
}

TEST(ValidateTest, ResourceAddressesAreChecked) {
  std::string text =
      "resources:\n"
      "  local.file.motd: {path: /etc/motd, content: hi}\n"
      "  local.file.banner: {path: /etc/issue, depends_on: [local.file.motd, nonsense]}\n"
      "  Bad.Address: {}\n";
  EXPECT_EQ(ValidateSummaries(text),
            "bp.yaml:3:71: error: resources[\"local.file.banner\"].depends_on[1]: expected a "
            "resource address <provider>.<type>.<name>\n"
            "bp.yaml:4:3: error: resources: key 'Bad.Address': expected a resource address "
            "<provider>.<type>.<name>\n");
}

TEST(ValidateTest, QuantitiesAndCpu) {
  EXPECT_EQ(ValidateSummaries("apps:\n  - {name: a, image: x, cpu: 2, memory: 512Mi}\n"
                              "  - {name: b, image: x, cpu: 500m, memory: 1073741824}\n"
                              "  - {name: c, image: x, cpu: 2 cores, memory: 1GB}\n"),
            "bp.yaml:4:30: error: apps[2].cpu: expected a CPU amount\n"
            "bp.yaml:4:47: error: apps[2].memory: expected a quantity such as 512Mi or 2Gi\n");
}

TEST(ValidateTest, BackupRetentionTakesADurationOrCounts) {
  const std::string head =
      "backups:\n  schedule: '@daily'\n  targets:\n"
      "    - {name: t, endpoint: 'https://m:9000', bucket: bk1, access_key: a, secret_key: s}\n";
  const std::string tail = "secrets: {a: env:A, s: env:S}\n";
  EXPECT_EQ(ValidateSummaries(head + "  retention: 30d\n" + tail), "");
  EXPECT_EQ(ValidateSummaries(head + "  retention: {daily: 7}\n" + tail), "");
  EXPECT_EQ(ValidateSummaries(head + "  retention: {daily: many}\n" + tail),
            "bp.yaml:5:22: error: backups.retention.daily: expected integer, got string\n");
  EXPECT_EQ(ValidateSummaries(head + "  retention: [1]\n" + tail),
            "bp.yaml:5:14: error: backups.retention: expected string or map, got list\n");
}

// yaml-language-server shows title/description as hover help; every property needs both.
void ExpectDocumented(const Value& schema, const std::string& path, std::vector<std::string>* bad) {
  if (schema.is_list()) {
    for (size_t i = 0; i < schema.size(); ++i)
      ExpectDocumented(schema.AsList()[i], PathIndex(path, i), bad);
    return;
  }
  if (!schema.is_map()) return;
  for (const auto& [key, child] : schema.AsMap()) {
    if (key == "properties" && child.is_map()) {
      for (const auto& [name, prop] : child.AsMap()) {
        if (!prop.Find("title") || !prop.Find("description"))
          bad->push_back(path + ".properties." + name);
      }
    }
    ExpectDocumented(child, path + "." + key, bad);
  }
}

TEST(ValidateTest, EveryPropertyInTheSchemaHasTitleAndDescription) {
  std::vector<std::string> undocumented;
  // Branches of if/anyOf/not only restate required keys; they carry no properties of their own.
  ExpectDocumented(EmbeddedSchema(), "#", &undocumented);
  std::vector<std::string> real;
  for (const std::string& p : undocumented)
    if (p.find(".if.") == std::string::npos) real.push_back(p);
  EXPECT_TRUE(real.empty()) << real.size() << " undocumented, first: " << real[0];
  EXPECT_NE(EmbeddedSchema().Find("$schema"), nullptr);
  EXPECT_NE(EmbeddedSchema().Find("$id"), nullptr);
}

}  // namespace
}  // namespace cairn::blueprint
