// The emulator answers GET and LIST from each object's text serialized at its last write: these
// tests check that every kind of write is seen by later reads, byte for byte as a fresh
// serialization of the object would be.
#include <gtest/gtest.h>

#include "tests/kube/kube_harness.h"

namespace cairn::emulators {
namespace {

const char* kCmPath = "/api/v1/namespaces/default/configmaps/cfg";
const char* kCmList = "/api/v1/namespaces/default/configmaps";

std::vector<std::string> Names(KubeEmulator* kube, const std::string& selector) {
  Reply r = Call(kube, "GET", kCmList, "", "", {{"labelSelector", selector}});
  EXPECT_EQ(r.code, 200) << r.raw.body;
  std::vector<std::string> out;
  for (const auto& item : r.body["items"]) out.push_back(item["metadata"]["name"]);
  return out;
}

// The raw text is what dump() writes for the same JSON (sorted keys, same escapes).
void ExpectCanonical(const Reply& r) {
  ASSERT_FALSE(r.body.is_discarded()) << r.raw.body;
  EXPECT_EQ(r.raw.body, r.body.dump());
}

TEST(KubeCache, GetAndListSeeEveryWrite) {
  KubeEmulator kube;
  Reply c = ApplyAs(&kube, kCmPath,
                    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg",)"
                    R"("labels":{"tier":"web"}},"data":{"a":"1"}})",
                    "t");
  ASSERT_EQ(c.code, 201) << c.raw.body;
  EXPECT_EQ(Names(&kube, "tier=web"), std::vector<std::string>{"cfg"});

  Reply p = Call(&kube, "PATCH", kCmPath, R"({"data":{"a":"2"},"metadata":{"labels":null}})",
                 "application/merge-patch+json");
  ASSERT_EQ(p.code, 200) << p.raw.body;
  Reply g = Call(&kube, "GET", kCmPath);
  EXPECT_EQ(g.body["data"]["a"], "2");
  EXPECT_EQ(Rv(g), Rv(p));
  EXPECT_NE(Rv(g), Rv(c));
  EXPECT_TRUE(Names(&kube, "tier=web").empty());
  EXPECT_EQ(Names(&kube, "!tier"), std::vector<std::string>{"cfg"});
  Reply l = Call(&kube, "GET", kCmList);
  ASSERT_EQ(l.body["items"].size(), 1u);
  EXPECT_EQ(l.body["items"][0]["data"]["a"], "2");
  EXPECT_EQ(l.body["items"][0]["metadata"]["resourceVersion"], Rv(p));

  nlohmann::json put = g.body;
  put["metadata"]["labels"] = {{"tier", "db"}};
  Reply u = Call(&kube, "PUT", kCmPath, put.dump());
  ASSERT_EQ(u.code, 200) << u.raw.body;
  EXPECT_EQ(Names(&kube, "tier=db"), std::vector<std::string>{"cfg"});
  EXPECT_EQ(Rv(Call(&kube, "GET", kCmPath)), Rv(u));

  ASSERT_EQ(Call(&kube, "DELETE", kCmPath).code, 200);
  EXPECT_EQ(Call(&kube, "GET", kCmPath).code, 404);
  EXPECT_TRUE(Call(&kube, "GET", kCmList).body["items"].empty());
}

TEST(KubeCache, TextIsWhatDumpWritesEscapesIncluded) {
  KubeEmulator kube;
  nlohmann::json cm = {
      {"apiVersion", "v1"},
      {"kind", "ConfigMap"},
      {"metadata", {{"name", "cfg"}}},
      {"data", {{"quote\"key", "line\nbreak \\ tab\t"}, {"utf8", "gr\xc3\xbc\xc3\x9f"}}},
      {"binaryData", {{"b", "AAEC"}}}};
  Reply c = Call(&kube, "POST", kCmList, cm.dump());
  ASSERT_EQ(c.code, 201) << c.raw.body;
  ExpectCanonical(c);
  Reply g = Call(&kube, "GET", kCmPath);
  ExpectCanonical(g);
  EXPECT_EQ(g.body["data"], cm["data"]);
  Reply l = Call(&kube, "GET", kCmList);
  ExpectCanonical(l);
  ASSERT_EQ(l.body["items"].size(), 1u);
  nlohmann::json item = g.body;
  item.erase("apiVersion");
  item.erase("kind");
  EXPECT_EQ(l.body["items"][0], item);
}

TEST(KubeCache, StatusSetByTheServerIsSeen) {
  KubeEmulator kube;
  const char* path = "/apis/apps/v1/namespaces/default/deployments/web";
  Reply c = ApplyAs(&kube, path,
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
                    "spec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
                    "  template:\n    metadata: {labels: {app: web}}\n"
                    "    spec: {containers: [{name: web, image: nginx}]}\n",
                    "t");
  ASSERT_EQ(c.code, 201) << c.raw.body;
  EXPECT_FALSE(c.body.contains("status") && c.body["status"].contains("availableReplicas"));
  // The next request finds the Deployment Available (no delay configured).
  Reply g = Call(&kube, "GET", path);
  EXPECT_EQ(g.body["status"]["availableReplicas"], 2);
  EXPECT_NE(Rv(g), Rv(c));
  ExpectCanonical(g);
  Reply l = Call(&kube, "GET", "/apis/apps/v1/namespaces/default/deployments");
  ASSERT_EQ(l.body["items"].size(), 1u);
  EXPECT_EQ(l.body["items"][0]["status"]["availableReplicas"], 2);
  EXPECT_EQ(l.body["items"][0]["metadata"]["resourceVersion"], Rv(g));
}

const char* kGadgetCrd = R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1beta1
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
)";

TEST(KubeCache, CustomResourcesAnswerInTheRequestedVersion) {
  KubeEmulator kube;
  ASSERT_TRUE(kube.LoadCrdText(kGadgetCrd).ok());
  Reply c =
      ApplyAs(&kube, "/apis/example.com/v1/namespaces/default/gadgets/g",
              "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {a: 1}\n", "t");
  ASSERT_EQ(c.code, 201) << c.raw.body;
  for (const char* version : {"v1beta1", "v1"}) {
    std::string base = std::string("/apis/example.com/") + version + "/namespaces/default/gadgets";
    std::string api_version = std::string("example.com/") + version;
    Reply g = Call(&kube, "GET", base + "/g");
    EXPECT_EQ(g.body["apiVersion"], api_version);
    EXPECT_EQ(g.body["spec"]["a"], 1);
    ExpectCanonical(g);
    Reply l = Call(&kube, "GET", base);
    EXPECT_EQ(l.body["apiVersion"], api_version);
    ASSERT_EQ(l.body["items"].size(), 1u);
    EXPECT_EQ(l.body["items"][0]["apiVersion"], api_version);
    EXPECT_EQ(l.body["items"][0]["kind"], "Gadget");
    ExpectCanonical(l);
  }
}

}  // namespace
}  // namespace cairn::emulators
