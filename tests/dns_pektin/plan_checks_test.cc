// The DNS providers' plan-time checks through the cairn binary: every bad record value is
// reported before anything is contacted, at the line and column where the blueprint writes it.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

class DnsPlanChecksTest : public ::testing::Test {
 protected:
  CommandResult Plan(const std::string& blueprint) {
    WriteFile(dir_.Join("blueprint.yaml"), blueprint);
    return RunCommand({CairnBinary(), "plan"}, dir_.path(), {"NO_COLOR=1"});
  }
  TempDir dir_;
};

// The provider is configured to a closed port: a plan that contacted it would fail otherwise.
const char kHead[] =
    "providers:\n"
    "  pektin: { endpoint: \"http://127.0.0.1:9\", username: u, confidant_password: p }\n"
    "dns:\n"
    "  provider: pektin\n"
    "  zones:\n"
    "    - name: example.net\n"
    "      records:\n";

TEST_F(DnsPlanChecksTest, EveryBadValueIsShownAtItsLine) {
  CommandResult r =
      Plan(std::string(kHead) +
           "        - { name: \"@\", type: A, value: 203.0.113.300 }\n"            // 8
           "        - { name: www, type: CNAME, value: example.net. }\n"           // 9
           "        - { name: www, type: TXT, value: hello }\n"                    // 10
           "        - { name: t, type: TXT, values: [ok, '\"open'] }\n"            // 11
           "        - { name: \"@\", type: MX, value: 192.0.2.1, priority: 1 }\n"  // 12
           "        - { name: v6, type: AAAA, value: \"2001:db8::g\" }\n"          // 13
           "        - { name: q, type: TXT, value: '\"" +
           std::string(256, 'x') + "\"' }\n");  // 14
  EXPECT_NE(r.exit_code, 0);
  const std::string& e = r.err;
  EXPECT_NE(e.find("blueprint.yaml:8:40: error: pektin.record.example_net_A: values[0]"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("'203.0.113.300' is not an IPv4 address"), std::string::npos) << e;
  EXPECT_NE(e.find("blueprint.yaml:9:30: error: pektin.record.www_example_net_CNAME: type"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("blueprint.yaml:10:30: error: pektin.record.www_example_net_TXT: type"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("a name with a CNAME can have no other record"), std::string::npos) << e;
  EXPECT_NE(e.find("blueprint.yaml:11:46: error: pektin.record.t_example_net_TXT: values[1]"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("is never closed"), std::string::npos) << e;
  EXPECT_NE(e.find("blueprint.yaml:12:41:"), std::string::npos) << e;
  EXPECT_NE(e.find("the mail host must be a name, not an address"), std::string::npos) << e;
  EXPECT_NE(e.find("blueprint.yaml:13:42:"), std::string::npos) << e;
  EXPECT_NE(e.find("'2001:db8::g' is not an IPv6 address"), std::string::npos) << e;
  EXPECT_NE(e.find("blueprint.yaml:14:40:"), std::string::npos) << e;
  EXPECT_NE(e.find("one string holds at most 255"), std::string::npos) << e;
  EXPECT_NE(e.find("7 errors found"), std::string::npos) << e;
}

TEST_F(DnsPlanChecksTest, ARecordSetWrittenTwiceShowsEachValueAtItsOwnLine) {
  CommandResult r =
      Plan(std::string(kHead) +
           "        - { name: www, type: A, value: 192.0.2.1 }\n"                  // 8
           "        - { name: www, type: A, value: 192.0.2.300 }\n"                // 9
           "        - { name: www, type: A, values: [192.0.2.2, 192.0.2.1] }\n");  // 10
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:9:40: error: pektin.record.www_example_net_A: values[1]"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("'192.0.2.300' is not an IPv4 address"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("blueprint.yaml:8:"), std::string::npos) << r.err;

  r = Plan(std::string(kHead) +
           "        - { name: www, type: A, value: 192.0.2.1 }\n"                  // 8
           "        - { name: www, type: A, values: [192.0.2.2, 192.0.2.1] }\n");  // 9
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:9:53: error: pektin.record.www_example_net_A: values[2]"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("given twice"), std::string::npos) << r.err;
}

TEST_F(DnsPlanChecksTest, ARecordSetWrittenTwiceHasOneTtl) {
  CommandResult r =
      Plan(std::string(kHead) +
           "        - { name: www, type: A, value: 192.0.2.1, ttl: 300 }\n"                // 8
           "        - { name: www.example.net., type: A, value: 192.0.2.2, ttl: 60 }\n");  // 9
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:9:69: error: dns.zones[0].records[1].ttl: the A record set "
                       "of www.example.net already has ttl 300 (line 8)"),
            std::string::npos)
      << r.err;

  // A TTL written on the second entry only is the record set's TTL, not dropped.
  r = Plan(std::string(kHead) +
           "        - { name: \"@\", type: A, value: 192.0.2.2 }\n"
           "        - { name: \"@\", type: A, value: 192.0.2.3, ttl: 120 }\n");
  EXPECT_NE(r.out.find("+ ttl    = 120"), std::string::npos) << r.out << r.err;
}

TEST_F(DnsPlanChecksTest, PektinRefusesCaaFlagsAndTagsItCannotStore) {
  CommandResult r =
      Plan(std::string(kHead) +
           "        - { name: \"@\", type: CAA, values: ['0 issue \"ca.example\"', "
           "'1 issue \"ca.example\"'] }\n"                                          // 8
           "        - { name: x, type: CAA, value: '0 contactemail \"a@b.c\"' }\n"  // 9
           "        - { name: y, type: CAA, value: '128 ISSUEWILD \";\"' }\n");     // 10
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:8:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("pektin.record.example_net_CAA: values[1]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("blueprint.yaml:9:40: error: pektin.record.x_example_net_CAA: values[0]"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("its tag issue, issuewild or iodef"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("y_example_net_CAA"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 errors found"), std::string::npos) << r.err;
}

TEST_F(DnsPlanChecksTest, TtlAndPriorityBoundsComeFromTheSchema) {
  CommandResult r = Plan(std::string(kHead) +
                         "        - { name: a, type: A, value: 192.0.2.1, ttl: 2147483648 }\n"
                         "        - { name: \"@\", type: MX, value: mail.example.net }\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:8:54: error: dns.zones[0].records[0].ttl: must be at most "
                       "2147483647"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("blueprint.yaml:9:11:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("priority"), std::string::npos) << r.err;
}

TEST_F(DnsPlanChecksTest, AnImpliedRecordIsShownWhereItsAddressIsWritten) {
  CommandResult r = Plan(
      "providers:\n"
      "  pektin: { endpoint: \"http://127.0.0.1:9\", username: u, confidant_password: p }\n"
      "network: { ingress: { mode: public, public: { via: direct } } }\n"
      "dns:\n"
      "  provider: pektin\n"
      "  public_address: 203.0.113.999\n"
      "  zones: [{ name: example.net }]\n"
      "apps:\n"
      "  - name: web\n"
      "    image: nginx:1\n"
      "    ports: [{ name: http, port: 80 }]\n"
      "    expose: [{ host: www.example.net, port: 80 }]\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:6:19: error: pektin.record.www_example_net_A: values[0]"),
            std::string::npos)
      << r.err;
}

TEST_F(DnsPlanChecksTest, TheApexCannotBeACname) {
  CommandResult r =
      Plan(std::string(kHead) + "        - { name: \"@\", type: CNAME, value: other.net. }\n");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:8:30: error: pektin.record.example_net_CNAME: type"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("a zone's apex cannot be a CNAME"), std::string::npos) << r.err;
}

TEST_F(DnsPlanChecksTest, APublicHostNeedsAnAddressOrARecordOfItsOwn) {
  const std::string blueprint =
      "providers:\n"
      "  pektin: { endpoint: \"http://127.0.0.1:9\", username: u, confidant_password: p }\n"
      "network: { ingress: { mode: public, public: { via: direct } } }\n"
      "dns:\n"
      "  provider: pektin\n"
      "  zones: [{ name: example.net, records: [{ name: www, type: A, value: 192.0.2.1 }] }]\n"
      "apps:\n"
      "  - name: web\n"
      "    image: nginx:1\n"
      "    ports: [{ name: http, port: 80 }]\n"
      "    expose: [{ host: www.example.net, port: 80 }, { host: shop.example.net, port: 80 }]\n";
  CommandResult r = Plan(blueprint);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:11:59: error: pektin.record.shop_example_net_A: values: "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("set it, or write the host's record under dns.zones"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("www_example_net"), std::string::npos) << "www has a record of its own";
}

}  // namespace
}  // namespace cairn::testing
