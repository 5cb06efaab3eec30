#include <gtest/gtest.h>

#include "tests/kube/kube_harness.h"

namespace cairn::emulators {
namespace {

const char* kCm =
    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},"data":{"a":"1"}})";

TEST(KubeCrud, CreateGetAndMetadataMaintained) {
  KubeEmulator kube;
  Reply c = Call(&kube, "POST", "/api/v1/namespaces/default/configmaps", kCm);
  ASSERT_EQ(c.code, 201) << c.raw.body;
  EXPECT_EQ(c.body["metadata"]["namespace"], "default");
  EXPECT_EQ(c.body["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_TRUE(c.body["metadata"].contains("creationTimestamp"));
  EXPECT_FALSE(c.body["metadata"].contains("generation"));  // ConfigMaps have none
  Reply g = Call(&kube, "GET", "/api/v1/namespaces/default/configmaps/cfg");
  ASSERT_EQ(g.code, 200);
  EXPECT_EQ(g.body["data"]["a"], "1");
  EXPECT_EQ(Rv(g), Rv(c));
  EXPECT_EQ(g.body["metadata"]["managedFields"][0]["manager"], "kube-test");
  EXPECT_EQ(g.body["metadata"]["managedFields"][0]["operation"], "Update");
}

TEST(KubeCrud, AlreadyExistsStatusBody) {
  KubeEmulator kube;
  Call(&kube, "POST", "/api/v1/namespaces/default/configmaps", kCm);
  Reply r = Call(&kube, "POST", "/api/v1/namespaces/default/configmaps", kCm);
  EXPECT_EQ(r.code, 409);
  EXPECT_EQ(r.body, nlohmann::json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"configmaps \"cfg\" already exists","reason":"AlreadyExists",
    "details":{"name":"cfg","kind":"configmaps"},"code":409})"));
}

TEST(KubeCrud, NotFoundNamesPluralAndGroup) {
  KubeEmulator kube;
  Reply r = Call(&kube, "GET", "/apis/apps/v1/namespaces/default/deployments/web");
  EXPECT_EQ(r.code, 404);
  EXPECT_EQ(r.body, nlohmann::json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"deployments.apps \"web\" not found","reason":"NotFound",
    "details":{"name":"web","group":"apps","kind":"deployments"},"code":404})"));
  Reply unknown = Call(&kube, "GET", "/apis/longhorn.io/v1beta2/namespaces/x/settings/a");
  EXPECT_EQ(unknown.code, 404);
  EXPECT_EQ(unknown.body["message"], "the server could not find the requested resource");
  EXPECT_FALSE(unknown.body["details"].contains("name"));
}

TEST(KubeCrud, NamespaceMustExist) {
  KubeEmulator kube;
  Reply r = Call(&kube, "POST", "/api/v1/namespaces/nope/configmaps", kCm);
  EXPECT_EQ(r.code, 404);
  EXPECT_EQ(r.body["message"], "namespaces \"nope\" not found");
  EXPECT_EQ(r.body["details"]["kind"], "namespaces");
  Reply ns = Call(&kube, "POST", "/api/v1/namespaces",
                  R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"nope"}})");
  ASSERT_EQ(ns.code, 201);
  EXPECT_EQ(ns.body["status"]["phase"], "Active");
  EXPECT_EQ(Call(&kube, "POST", "/api/v1/namespaces/nope/configmaps", kCm).code, 201);
}

TEST(KubeCrud, UpdateWithStaleResourceVersionConflicts) {
  KubeEmulator kube;
  Reply c = Call(&kube, "POST", "/api/v1/namespaces/default/configmaps", kCm);
  nlohmann::json obj = c.body;
  obj["data"]["a"] = "2";
  Reply u = Call(&kube, "PUT", "/api/v1/namespaces/default/configmaps/cfg", obj.dump());
  ASSERT_EQ(u.code, 200) << u.raw.body;
  EXPECT_NE(Rv(u), Rv(c));
  obj["data"]["a"] = "3";  // still carries the first resourceVersion
  Reply stale = Call(&kube, "PUT", "/api/v1/namespaces/default/configmaps/cfg", obj.dump());
  EXPECT_EQ(stale.code, 409);
  EXPECT_EQ(stale.body["reason"], "Conflict");
  EXPECT_EQ(stale.body["message"],
            "Operation cannot be fulfilled on configmaps \"cfg\": the object has been modified; "
            "please apply your changes to the latest version and try again");
}

TEST(KubeCrud, DeleteReturnsSuccessStatusAndAcceptsPropagationPolicy) {
  KubeEmulator kube;
  Reply c = Call(&kube, "POST", "/api/v1/namespaces/default/configmaps", kCm);
  Reply d = Call(&kube, "DELETE", "/api/v1/namespaces/default/configmaps/cfg",
                 R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground"})");
  ASSERT_EQ(d.code, 200);
  EXPECT_EQ(d.body["kind"], "Status");
  EXPECT_EQ(d.body["status"], "Success");
  EXPECT_EQ(d.body["details"]["uid"], c.body["metadata"]["uid"]);
  EXPECT_EQ(Call(&kube, "GET", "/api/v1/namespaces/default/configmaps/cfg").code, 404);
  EXPECT_EQ(Call(&kube, "DELETE", "/api/v1/namespaces/default/configmaps/cfg").code, 404);
}

TEST(KubeCrud, InvalidNameIs422WithFieldPath) {
  KubeEmulator kube;
  Reply r = Call(&kube, "POST", "/api/v1/namespaces/default/configmaps",
                 R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}})");
  EXPECT_EQ(r.code, 422);
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["details"]["kind"], "ConfigMap");
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "metadata.name");
  EXPECT_EQ(r.body["details"]["causes"][0]["reason"], "FieldValueInvalid");
}

TEST(KubeCrud, DiscoveryListsBuiltinKinds) {
  KubeEmulator kube;
  Reply core = Call(&kube, "GET", "/api/v1");
  ASSERT_EQ(core.code, 200);
  EXPECT_EQ(core.body["kind"], "APIResourceList");
  bool saw_cm = false;
  for (const auto& r : core.body["resources"])
    if (r["name"] == "configmaps") saw_cm = r["namespaced"] == true && r["kind"] == "ConfigMap";
  EXPECT_TRUE(saw_cm);
  Reply groups = Call(&kube, "GET", "/apis");
  std::vector<std::string> names;
  for (const auto& g : groups.body["groups"]) names.push_back(g["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"apps", "networking.k8s.io", "apiextensions.k8s.io"}));
  Reply apps = Call(&kube, "GET", "/apis/apps/v1");
  EXPECT_EQ(apps.body["resources"][0]["name"], "deployments");
  EXPECT_EQ(apps.body["resources"][1]["name"], "deployments/status");
}

TEST(KubeCrud, SecretStringDataBecomesData) {
  KubeEmulator kube;
  Reply r = Call(&kube, "POST", "/api/v1/namespaces/default/secrets",
                 R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},
                     "stringData":{"k":"hello"}})");
  ASSERT_EQ(r.code, 201);
  EXPECT_EQ(r.body["data"]["k"], "aGVsbG8=");
  EXPECT_EQ(r.body["type"], "Opaque");
  EXPECT_FALSE(r.body.contains("stringData"));
}

TEST(KubeCrud, DeploymentBecomesAvailableAndGenerationCountsSpecChanges) {
  KubeEmulator kube;
  const char* deploy = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.25"}]}
)";
  Reply c = ApplyAs(&kube, "/apis/apps/v1/namespaces/default/deployments/web", deploy, "t");
  ASSERT_EQ(c.code, 201) << c.raw.body;
  EXPECT_EQ(c.body["metadata"]["generation"], 1);
  Reply g = Call(&kube, "GET", "/apis/apps/v1/namespaces/default/deployments/web");
  EXPECT_EQ(g.body["status"]["conditions"][0]["type"], "Available");
  EXPECT_EQ(g.body["status"]["conditions"][0]["status"], "True");
  EXPECT_EQ(g.body["status"]["availableReplicas"], 2);
  std::string more = deploy;
  more.replace(more.find("replicas: 2"), 11, "replicas: 3");
  Reply u = ApplyAs(&kube, "/apis/apps/v1/namespaces/default/deployments/web", more, "t");
  EXPECT_EQ(u.body["metadata"]["generation"], 2);
  Reply bad = Call(&kube, "POST", "/apis/apps/v1/namespaces/default/deployments",
                   R"({"metadata":{"name":"x"},"spec":{"template":{"spec":{}}}})");
  EXPECT_EQ(bad.code, 422);
  EXPECT_EQ(bad.body["details"]["causes"][0]["field"], "spec.selector");
}

}  // namespace
}  // namespace cairn::emulators
