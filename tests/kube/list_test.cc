#include <gtest/gtest.h>

#include "tests/kube/kube_harness.h"

namespace cairn::emulators {
namespace {

class KubeList : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* labels[] = {"app: a, tier: web", "app: a, tier: db", "app: b, tier: web", "app: c",
                            "app: b, legacy: 'yes'"};
    for (int i = 0; i < 5; ++i) {
      std::string name = "cm" + std::to_string(i);
      Reply r = ApplyAs(&kube_, "/api/v1/namespaces/default/configmaps/" + name,
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name +
                            "\n  labels: {" + labels[i] + "}\n",
                        "t");
      ASSERT_EQ(r.code, 201) << r.raw.body;
    }
  }
  std::vector<std::string> Names(const std::string& selector) {
    Reply r = Call(&kube_, "GET", "/api/v1/namespaces/default/configmaps", "", "",
                   {{"labelSelector", selector}});
    EXPECT_EQ(r.code, 200) << r.raw.body;
    std::vector<std::string> out;
    for (const auto& item : r.body["items"]) out.push_back(item["metadata"]["name"]);
    return out;
  }
  KubeEmulator kube_;
};

TEST_F(KubeList, LabelSelectors) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Names("app=a"), (V{"cm0", "cm1"}));
  EXPECT_EQ(Names("app==b"), (V{"cm2", "cm4"}));
  EXPECT_EQ(Names("app!=a"), (V{"cm2", "cm3", "cm4"}));
  EXPECT_EQ(Names("app in (a, c)"), (V{"cm0", "cm1", "cm3"}));
  EXPECT_EQ(Names("app notin (a,c)"), (V{"cm2", "cm4"}));
  EXPECT_EQ(Names("tier"), (V{"cm0", "cm1", "cm2"}));
  EXPECT_EQ(Names("!tier"), (V{"cm3", "cm4"}));
  EXPECT_EQ(Names("app=a,tier!=db"), (V{"cm0"}));
  Reply bad = Call(&kube_, "GET", "/api/v1/namespaces/default/configmaps", "", "",
                   {{"labelSelector", "app in a"}});
  EXPECT_EQ(bad.code, 400);
}

TEST_F(KubeList, ListShapeAndFieldSelector) {
  Reply r =
      Call(&kube_, "GET", "/api/v1/configmaps", "", "", {{"fieldSelector", "metadata.name=cm3"}});
  ASSERT_EQ(r.code, 200);
  EXPECT_EQ(r.body["kind"], "ConfigMapList");
  EXPECT_EQ(r.body["apiVersion"], "v1");
  ASSERT_EQ(r.body["items"].size(), 1u);
  EXPECT_FALSE(r.body["items"][0].contains("kind"));
  EXPECT_EQ(Call(&kube_, "GET", "/api/v1/configmaps", "", "", {{"fieldSelector", "spec.x=1"}}).code,
            400);
}

TEST_F(KubeList, PagingWithContinueTokens) {
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    std::map<std::string, std::string> q = {{"limit", "2"}};
    if (!token.empty()) q["continue"] = token;
    Reply r = Call(&kube_, "GET", "/api/v1/namespaces/default/configmaps", "", "", q);
    ASSERT_EQ(r.code, 200) << r.raw.body;
    EXPECT_LE(r.body["items"].size(), 2u);
    for (const auto& item : r.body["items"]) seen.push_back(item["metadata"]["name"]);
    token = r.body["metadata"].value("continue", "");
    // Clients put the token into a URL as it is.
    EXPECT_EQ(token.find_first_of("+/="), std::string::npos) << token;
    if (pages == 0) {
      EXPECT_EQ(r.body["metadata"]["remainingItemCount"], 3);
    }
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"cm0", "cm1", "cm2", "cm3", "cm4"}));
}

TEST_F(KubeList, BadOrExpiredContinueTokenIs410) {
  Reply bad = Call(&kube_, "GET", "/api/v1/namespaces/default/configmaps", "", "",
                   {{"limit", "2"}, {"continue", "not-a-token"}});
  EXPECT_EQ(bad.code, 410);
  EXPECT_EQ(bad.body["reason"], "Expired");
  Reply first =
      Call(&kube_, "GET", "/api/v1/namespaces/default/configmaps", "", "", {{"limit", "2"}});
  std::string token = first.body["metadata"]["continue"];
  kube_.ExpireContinueTokens();
  Reply expired = Call(&kube_, "GET", "/api/v1/namespaces/default/configmaps", "", "",
                       {{"limit", "2"}, {"continue", token}});
  EXPECT_EQ(expired.code, 410);
}

}  // namespace
}  // namespace cairn::emulators
