// Custom resources (a CRD and its objects in one apply; plan-time checks against real Longhorn
// and Cilium CRDs) and apps compiled into workloads, through the cairn binary and the emulator.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "tests/kube_provider/kube_fixture.h"

namespace cairn::testing {
namespace {

/// CRDs take a while to become Established, as on a real server.
class KubeCrdTest : public KubeFixture {
 protected:
  KubeCrdTest() { options_.crd_establish_ms = 400; }
};

constexpr char kWidgetCrd[] =
    "  kubernetes.object.widgets:\n"
    "    manifest:\n"
    "      apiVersion: apiextensions.k8s.io/v1\n"
    "      kind: CustomResourceDefinition\n"
    "      metadata: {name: widgets.example.org}\n"
    "      spec:\n"
    "        group: example.org\n"
    "        scope: Namespaced\n"
    "        names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}\n"
    "        versions:\n"
    "          - name: v1\n"
    "            served: true\n"
    "            storage: true\n"
    "            schema:\n"
    "              openAPIV3Schema:\n"
    "                type: object\n"
    "                properties:\n"
    "                  spec:\n"
    "                    type: object\n"
    "                    properties:\n"
    "                      size: {type: integer, minimum: 1}\n";

std::string Widget(const std::string& field, bool depends) {
  return std::string(
             "  kubernetes.object.w:\n"
             "    manifest:\n"
             "      apiVersion: example.org/v1\n"
             "      kind: Widget\n"
             "      metadata: {name: w, namespace: default}\n"
             "      spec:\n"
             "        ") +
         field + "\n" + (depends ? "    depends_on: [kubernetes.object.widgets]\n" : "");
}

TEST_F(KubeCrdTest, ACrdAndItsObjectsApplyInOneRun) {
  WriteBlueprint(std::string("resources:\n") + kWidgetCrd + Widget("size: 3", true));
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json w = Get("/apis/example.org/v1/namespaces/default/widgets/w");
  ASSERT_FALSE(w.is_null());
  EXPECT_EQ(w["spec"]["size"], 3);
  EXPECT_EQ(Cairn({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(KubeCrdTest, AnObjectOfABlueprintCrdMustDependOnIt) {
  WriteBlueprint(std::string("resources:\n") + kWidgetCrd + Widget("size: 3", false));
  CommandResult r = Cairn({"plan"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("depends_on: [kubernetes.object.widgets]"), std::string::npos) << r.err;
}

TEST_F(KubeCrdTest, AWrongFieldFailsThePlanAtItsLine) {
  WriteBlueprint(std::string("resources:\n") + kWidgetCrd + Widget("siez: 3", true));
  CommandResult r = Cairn({"plan"});
  EXPECT_NE(r.exit_code, 0);
  // The Widget's spec.siez is on line 35 of the blueprint (6 lines of settings first).
  EXPECT_NE(r.err.find("blueprint.yaml:35:15"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'size'?"), std::string::npos) << r.err;
  EXPECT_EQ(em_->request_count("PATCH "), 0u) << "nothing was touched";
}

std::string CrdDir() { return SourceDir() + "/../shared/reference/crds"; }

TEST_F(KubeCrdTest, LonghornObjectsAreCheckedAgainstTheCrdInTheCluster) {
  std::string file = CrdDir() + "/longhorn-crds.yaml";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "no " << file;
  ASSERT_TRUE(em_->LoadCrdFile(file).ok());
  std::string job =
      "resources:\n"
      "  kubernetes.object.ns:\n"
      "    manifest: {apiVersion: v1, kind: Namespace, metadata: {name: longhorn-system}}\n"
      "  kubernetes.object.daily:\n"
      "    manifest:\n"
      "      apiVersion: longhorn.io/v1beta2\n"
      "      kind: RecurringJob\n"
      "      metadata: {name: daily, namespace: longhorn-system}\n"
      "      spec:\n"
      "        cron: \"0 2 * * *\"\n"
      "        task: backup\n"
      "        RETAIN_LINE\n"
      "        concurrency: 2\n"
      "    depends_on: [kubernetes.object.ns]\n";
  std::string bad = job;
  bad.replace(bad.find("RETAIN_LINE"), 11, "retian: 7");
  WriteBlueprint(bad);
  CommandResult r = Cairn({"plan"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:18:17"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'retain'?"), std::string::npos) << r.err;

  std::string wrong_enum = job;
  wrong_enum.replace(wrong_enum.find("RETAIN_LINE"), 11, "retain: 7");
  wrong_enum.replace(wrong_enum.find("task: backup"), 12, "task: backpu");
  WriteBlueprint(wrong_enum);
  r = Cairn({"plan"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:17:15"), std::string::npos) << r.err;

  std::string good = job;
  good.replace(good.find("RETAIN_LINE"), 11, "retain: 7");
  WriteBlueprint(good);
  r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(
      Get("/apis/longhorn.io/v1beta2/namespaces/longhorn-system/recurringjobs/daily").is_null());
}

TEST_F(KubeCrdTest, ManyObjectsOfAClusterCrdFetchItOncePerVm) {
  std::string file = CrdDir() + "/longhorn-crds.yaml";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "no " << file;
  ASSERT_TRUE(em_->LoadCrdFile(file).ok());
  std::string body =
      "resources:\n"
      "  kubernetes.object.ns:\n"
      "    manifest: {apiVersion: v1, kind: Namespace, metadata: {name: longhorn-system}}\n";
  constexpr int kJobs = 20;
  for (int i = 0; i < kJobs; ++i) {
    std::string name = "job-" + std::to_string(i);
    body += "  kubernetes.object." + name +
            ":\n"
            "    manifest:\n"
            "      apiVersion: longhorn.io/v1beta2\n"
            "      kind: RecurringJob\n"
            "      metadata: {name: " +
            name +
            ", namespace: longhorn-system}\n"
            "      spec: {cron: \"0 2 * * *\", task: backup, retain: 7, concurrency: 1}\n"
            "    depends_on: [kubernetes.object.ns]\n";
  }
  WriteBlueprint(body);
  em_->ClearRequests();
  CommandResult r = Cairn({"plan", "--parallelism", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(std::to_string(kJobs + 1) + " to add"), std::string::npos) << r.out;
  size_t crd_gets =
      em_->request_count("GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/");
  EXPECT_GE(crd_gets, 1u) << "the objects are checked against the CRD in the cluster";
  EXPECT_LE(crd_gets, 2u) << "one GET of the CRD per VM, not one per object";
}

TEST_F(KubeCrdTest, CiliumPoliciesAreCheckedToo) {
  std::string file = CrdDir() + "/cilium-ciliumnetworkpolicies.yaml";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "no " << file;
  ASSERT_TRUE(em_->LoadCrdFile(file).ok());
  WriteBlueprint(
      "resources:\n"
      "  kubernetes.object.deny:\n"
      "    manifest:\n"
      "      apiVersion: cilium.io/v2\n"
      "      kind: CiliumNetworkPolicy\n"
      "      metadata: {name: deny, namespace: default}\n"
      "      spec:\n"
      "        endpointSelector: {}\n"
      "        ingressDeny: []\n"
      "        egres: []\n");
  CommandResult r = Cairn({"plan"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("blueprint.yaml:16:16"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did you mean 'egress'?"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ingressDeny"), std::string::npos) << "[] is a list\n" << r.err;
}

using KubeAppsTest = KubeFixture;

TEST_F(KubeAppsTest, AnAppBecomesIsolatedWorkloadsAndItsSecretsNeverPrint) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "secrets:\n"
            "  kubeconfig: file:kubeconfig.yaml\n"
            "  db_pw: env:DB_PASSWORD\n"
            "providers:\n"
            "  kubernetes:\n"
            "    kubeconfig_content: \"${secrets.kubeconfig}\"\n"
            "    wait_timeout: 20\n"
            "storage:\n"
            "  tiers: [{name: fast, media: ssd, replicas: 2}]\n"
            "apps:\n"
            "  - name: db\n"
            "    image: postgres:16\n"
            "    cpu: 500m\n"
            "    memory: 1Gi\n"
            "    env: {POSTGRES_PASSWORD: {secret: db_pw}, MODE: fast}\n"
            "    ports: [{name: pg, port: 5432}]\n"
            "    volumes: [{name: data, tier: fast, size: 10Gi, mount: /data}]\n"
            "  - name: web\n"
            "    image: nginx:1.27\n"
            "    runtime: kata\n"
            "    ports: [{name: http, port: 80}]\n"
            "    expose: [{host: web.example.org, port: 80, mode: local}]\n");
  std::vector<std::string> env = {"DB_PASSWORD=hunter2-very-secret"};
  CommandResult r = Cairn({"plan"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("hunter2"), std::string::npos) << "a secret was printed";
  EXPECT_NE(r.out.find("(sensitive"), std::string::npos) << r.out;

  r = Cairn({"apply", "--auto-approve"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ((r.out + r.err).find("hunter2"), std::string::npos) << "a secret was printed";
  nlohmann::json ns = Get("/api/v1/namespaces/app-db");
  ASSERT_FALSE(ns.is_null());
  EXPECT_EQ(ns["metadata"]["labels"]["cairn.io/isolation"], "default-deny");
  nlohmann::json sts = Get("/apis/apps/v1/namespaces/app-db/statefulsets/db");
  ASSERT_FALSE(sts.is_null());
  EXPECT_EQ(sts["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"], "fast");
  nlohmann::json secret = Get("/api/v1/namespaces/app-db/secrets/db-env");
  ASSERT_FALSE(secret.is_null());
  EXPECT_EQ(secret["data"]["POSTGRES_PASSWORD"], "aHVudGVyMi12ZXJ5LXNlY3JldA==");
  EXPECT_FALSE(Get("/api/v1/namespaces/app-db/resourcequotas/db").is_null());
  EXPECT_FALSE(Get("/api/v1/namespaces/app-db/services/db").is_null());
  nlohmann::json dep = Get("/apis/apps/v1/namespaces/app-web/deployments/web");
  ASSERT_FALSE(dep.is_null());
  EXPECT_EQ(dep["spec"]["template"]["spec"]["runtimeClassName"], "kata");
  EXPECT_FALSE(Get("/apis/networking.k8s.io/v1/namespaces/app-web/ingresses/web-local").is_null());

  r = Cairn({"plan", "--detailed-exitcode"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cairn({"show"}, env);
  EXPECT_EQ((r.out + r.err).find("hunter2"), std::string::npos) << "a secret was printed";
}

TEST_F(KubeAppsTest, HomelabAppsPlanAsCreates) {
  std::string text = ReadFile(SourceDir() + "/blueprints/homelab.yaml");
  WriteFile(dir_.Join("blueprint.yaml"), text);
  for (const char* key : {"cairn_ed25519", "proxy_wg.key", "mullvad-se-got.conf", "dkim.key"})
    WriteFile(dir_.Join(std::string("keys/") + key), "dummy\n");
  em_->WriteKubeconfig(dir_.Join("keys/kubeconfig.yaml"));
  std::vector<std::string> env;
  for (const char* var :
       {"HCLOUD_TOKEN", "MINIO_HOME_ACCESS_KEY", "MINIO_HOME_SECRET_KEY",
        "MINIO_OFFSITE_ACCESS_KEY", "MINIO_OFFSITE_SECRET_KEY", "POSTGRES_PASSWORD",
        "NEXTCLOUD_ADMIN_PASSWORD", "VAULTWARDEN_ADMIN_TOKEN", "CAIRN_STATE_KEY", "PDNS_API_KEY"})
    env.push_back(std::string(var) + "=dummy-" + var);
  CommandResult r = Cairn({"plan"}, env);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("kubernetes.object.nextcloud-workload will be created"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("kubernetes.object.mail-route-public will be created"), std::string::npos);
  EXPECT_EQ(r.out.find("will be updated"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("will be destroyed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("dummy-POSTGRES_PASSWORD"), std::string::npos) << "a secret was printed";
}

}  // namespace
}  // namespace cairn::testing
