#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "tests/kube/kube_harness.h"
#include "tests/support/test_support.h"

namespace cairn::emulators {
namespace {

std::string CrdDir() { return std::string(CAIRN_SOURCE_DIR) + "/../shared/reference/crds"; }

#define REQUIRE_CRDS()                                              \
  if (!testing::FileExists(CrdDir() + "/longhorn-crds.yaml"))       \
  GTEST_SKIP() << "the reference CRD files are not at " << CrdDir() \
               << " (shared/reference must sit beside the source tree)"

const char* kWidgetCrd = R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string, enum: [red, blue]}
              extra: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, properties: {ready: {type: boolean}}}
)";

const char* kWidgetPath = "/apis/example.com/v1/namespaces/default/widgets/w";

TEST(KubeCrd, ServedOnlyOnceEstablished) {
  KubeEmulatorOptions opts;
  opts.crd_establish_ms = 150;
  KubeEmulator kube(opts);
  Reply c = ApplyAs(&kube,
                    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                    "widgets.example.com",
                    kWidgetCrd, "t");
  ASSERT_EQ(c.code, 201) << c.raw.body;
  EXPECT_EQ(c.body["status"]["conditions"][0]["type"], "NamesAccepted");
  EXPECT_EQ(c.body["status"]["conditions"].size(), 1u);
  const char* widget =
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
      "spec: {size: 2}\n";
  EXPECT_EQ(ApplyAs(&kube, kWidgetPath, widget, "t").code, 404);
  EXPECT_EQ(Call(&kube, "GET", "/apis/example.com/v1").code, 404);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Reply crd = Call(&kube, "GET",
                   "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
  EXPECT_EQ(crd.body["status"]["conditions"][1]["type"], "Established");
  EXPECT_EQ(crd.body["status"]["conditions"][1]["status"], "True");
  Reply disc = Call(&kube, "GET", "/apis/example.com/v1");
  ASSERT_EQ(disc.code, 200);
  EXPECT_EQ(disc.body["resources"][0]["kind"], "Widget");
  EXPECT_EQ(disc.body["resources"][0]["namespaced"], true);
  Reply w = ApplyAs(&kube, kWidgetPath, widget, "t");
  ASSERT_EQ(w.code, 201) << w.raw.body;
  EXPECT_EQ(w.body["metadata"]["generation"], 1);
  // Deleting the CRD removes its kind and its objects.
  EXPECT_EQ(Call(&kube, "DELETE",
                 "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                 "widgets.example.com")
                .code,
            200);
  EXPECT_EQ(Call(&kube, "GET", kWidgetPath).code, 404);
}

TEST(KubeCrd, ValidationCausesNameFieldPaths) {
  KubeEmulator kube;
  ASSERT_TRUE(kube.LoadCrdText(kWidgetCrd).ok());
  Reply r = ApplyAs(&kube, kWidgetPath,
                    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                    "spec: {size: many, color: green}\n",
                    "t");
  ASSERT_EQ(r.code, 422) << r.raw.body;
  EXPECT_EQ(r.body["reason"], "Invalid");
  EXPECT_EQ(r.body["details"]["kind"], "Widget");
  EXPECT_EQ(r.body["details"]["group"], "example.com");
  std::map<std::string, std::string> by_field;
  for (const auto& c : r.body["details"]["causes"]) by_field[c["field"]] = c["reason"];
  EXPECT_EQ(by_field["spec.size"], "FieldValueTypeInvalid");
  EXPECT_EQ(by_field["spec.color"], "FieldValueNotSupported");
  Reply missing = ApplyAs(&kube, kWidgetPath,
                          "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                          "spec: {color: red}\n",
                          "t");
  ASSERT_EQ(missing.code, 422);
  EXPECT_EQ(missing.body["message"],
            "Widget.example.com \"w\" is invalid: spec.size: Required value");
}

TEST(KubeCrd, UnknownFieldsArePrunedOrRejectedWhenStrict) {
  KubeEmulator kube;
  ASSERT_TRUE(kube.LoadCrdText(kWidgetCrd).ok());
  const char* body =
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
      "spec: {size: 1, shape: round, extra: {kept: 1}}\n";
  Reply strict = Call(&kube, "POST", "/apis/example.com/v1/namespaces/default/widgets", body,
                      "application/yaml", {{"fieldValidation", "Strict"}});
  EXPECT_EQ(strict.code, 400);
  EXPECT_NE(strict.body["message"].get<std::string>().find("unknown field \"spec.shape\""),
            std::string::npos);
  Reply pruned = Call(&kube, "POST", "/apis/example.com/v1/namespaces/default/widgets", body,
                      "application/yaml");
  ASSERT_EQ(pruned.code, 201) << pruned.raw.body;
  EXPECT_FALSE(pruned.body["spec"].contains("shape"));
  EXPECT_EQ(pruned.body["spec"]["extra"]["kept"], 1);
  ASSERT_EQ(pruned.raw.headers.size(), 1u);
  EXPECT_EQ(pruned.raw.headers[0].second, "299 - \"unknown field \\\"spec.shape\\\"\"");
}

TEST(KubeCrd, StatusSubresourceSeparatesSpecAndStatus) {
  KubeEmulator kube;
  ASSERT_TRUE(kube.LoadCrdText(kWidgetCrd).ok());
  ASSERT_EQ(ApplyAs(&kube, kWidgetPath,
                    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                    "spec: {size: 1}\nstatus: {ready: true}\n",
                    "t")
                .code,
            201);
  EXPECT_FALSE(Call(&kube, "GET", kWidgetPath).body.contains("status"));
  Reply s = Call(&kube, "PATCH", std::string(kWidgetPath) + "/status",
                 R"({"status":{"ready":true}})", "application/merge-patch+json");
  ASSERT_EQ(s.code, 200) << s.raw.body;
  EXPECT_EQ(Call(&kube, "GET", kWidgetPath).body["status"]["ready"], true);
}

TEST(KubeCrd, InvalidCrdIsRejected) {
  KubeEmulator kube;
  Reply r = Call(&kube, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                 R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
                     "metadata":{"name":"wrong.example.com"},
                     "spec":{"group":"example.com","scope":"Namespaced",
                     "names":{"plural":"things","kind":"Thing"},
                     "versions":[{"name":"v1","served":true,"storage":true,
                     "schema":{"openAPIV3Schema":{"type":"object"}}}]}})");
  EXPECT_EQ(r.code, 422);
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "metadata.name");
}

TEST(KubeCrd, RealLonghornAndCiliumCrdsLoadAndValidate) {
  REQUIRE_CRDS();
  KubeEmulator kube;
  for (const char* file :
       {"longhorn-crds.yaml", "cilium-ciliumnetworkpolicies.yaml",
        "cilium-ciliumclusterwidenetworkpolicies.yaml", "cilium-ciliumegressgatewaypolicies.yaml",
        "cilium-ciliumloadbalancerippools.yaml", "cilium-ciliuml2announcementpolicies.yaml"}) {
    Status s = kube.LoadCrdFile(CrdDir() + "/" + file);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  Reply ns =
      Call(&kube, "POST", "/api/v1/namespaces",
           R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"longhorn-system"}})");
  ASSERT_EQ(ns.code, 201);
  const char* setting_path =
      "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/settings/backup-target";
  Reply setting = ApplyAs(&kube, setting_path,
                          "apiVersion: longhorn.io/v1beta2\nkind: Setting\n"
                          "metadata: {name: backup-target, namespace: longhorn-system}\n"
                          "value: 's3://backups@us-east-1/'\n",
                          "cairn");
  ASSERT_EQ(setting.code, 201) << setting.raw.body;
  Reply no_value =
      ApplyAs(&kube, "/apis/longhorn.io/v1beta2/namespaces/longhorn-system/settings/other",
              "apiVersion: longhorn.io/v1beta2\nkind: Setting\n"
              "metadata: {name: other, namespace: longhorn-system}\n",
              "cairn");
  EXPECT_EQ(no_value.code, 422) << no_value.raw.body;
  EXPECT_EQ(no_value.body["details"]["causes"][0]["field"], "value");

  const char* cnp_path = "/apis/cilium.io/v2/namespaces/default/ciliumnetworkpolicies/isolate";
  std::string cnp =
      "apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: isolate}\n"
      "spec:\n  endpointSelector: {}\n  ingress:\n  - fromEndpoints: [{}]\n"
      "  egress:\n  - toEndpoints: [{}]\n  - toEntities: [world]\n";
  Reply ok = ApplyAs(&kube, cnp_path, cnp, "cairn");
  ASSERT_EQ(ok.code, 201) << ok.raw.body;
  std::string bad = cnp;
  bad.replace(bad.find("[world]"), 7, "[galaxy]");
  Reply invalid = ApplyAs(&kube, cnp_path, bad, "cairn");
  ASSERT_EQ(invalid.code, 422) << invalid.raw.body;
  bool found = false;
  for (const auto& c : invalid.body["details"]["causes"])
    found = found || (c["field"] == "spec.egress[1].toEntities[0]" &&
                      c["reason"] == "FieldValueNotSupported");
  EXPECT_TRUE(found) << invalid.raw.body;

  // Cluster-scoped kinds and a second served version.
  Reply pool = ApplyAs(&kube, "/apis/cilium.io/v2alpha1/ciliumloadbalancerippools/pool",
                       "apiVersion: cilium.io/v2alpha1\nkind: CiliumLoadBalancerIPPool\n"
                       "metadata: {name: pool}\nspec:\n  blocks: [{cidr: 10.0.10.0/24}]\n",
                       "cairn");
  ASSERT_EQ(pool.code, 201) << pool.raw.body;
  Reply as_v2 = Call(&kube, "GET", "/apis/cilium.io/v2/ciliumloadbalancerippools/pool");
  EXPECT_EQ(as_v2.body["apiVersion"], "cilium.io/v2");
}

}  // namespace
}  // namespace cairn::emulators
