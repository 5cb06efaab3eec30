// kubernetes.object through the cairn binary against the emulated API server: create, drift,
// update, prune, adoption, batched refresh, conflicts and API errors at blueprint positions.
#include <algorithm>
#include <string>

#include <gtest/gtest.h>

#include "tests/kube_provider/kube_fixture.h"

namespace cairn::testing {
namespace {

using KubeObjectTest = KubeFixture;

constexpr char kCmPath[] = "/api/v1/namespaces/default/configmaps/";

TEST_F(KubeObjectTest, ApplyCreatesLabelledObjectsAndASecondPlanIsClean) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a") +
                 ConfigMapResource("two", "default", "b"));
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json one = Get(std::string(kCmPath) + "one");
  ASSERT_FALSE(one.is_null());
  EXPECT_EQ(one["data"]["key"], "a");
  EXPECT_EQ(one["metadata"]["labels"]["app.kubernetes.io/managed-by"], "cairn");
  EXPECT_EQ(one["metadata"]["annotations"]["cairn.io/address"], "kubernetes.object.one");

  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(KubeObjectTest, DriftIsShownAndAConflictNeedsForce) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);

  // Someone takes the field with kubectl --force-conflicts; a field only the server adds
  // (managedFields of that manager, a new label) must not count as drift, the value must.
  nlohmann::json body = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", "one"}, {"namespace", "default"}}},
                         {"data", {{"key", "changed"}}}};
  emulators::KubeRequest req;
  req.method = "PATCH";
  req.path = std::string(kCmPath) + "one";
  req.query = {{"fieldManager", "kubectl"}, {"force", "true"}};
  req.content_type = "application/apply-patch+yaml";
  req.body = body.dump();
  ASSERT_EQ(em_->Handle(req).code, 200);

  CommandResult r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("changed"), std::string::npos) << r.out;

  r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  std::string all = r.out + r.err;
  EXPECT_NE(all.find("kubectl"), std::string::npos) << all;
  EXPECT_NE(all.find("set force: true"), std::string::npos) << all;
  EXPECT_EQ(Get(std::string(kCmPath) + "one")["data"]["key"], "changed");

  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a") + "    force: true\n");
  r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Get(std::string(kCmPath) + "one")["data"]["key"], "a");
}

// Writes that are not server-side applies (a merge patch, a PUT) bump resourceVersion too, so
// refresh must read the object again rather than keep the recorded one. (Taking the value back
// then needs force: the other client now manages the field.)
TEST_F(KubeObjectTest, APatchOrPutByAnotherClientIsDrift) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);

  emulators::KubeRequest patch;
  patch.method = "PATCH";
  patch.path = std::string(kCmPath) + "one";
  patch.content_type = "application/merge-patch+json";
  patch.body = R"({"data":{"key":"patched"}})";
  ASSERT_EQ(em_->Handle(patch).code, 200);
  CommandResult r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("patched"), std::string::npos) << r.out;

  nlohmann::json live = Get(std::string(kCmPath) + "one");
  live["data"]["key"] = "put";
  emulators::KubeRequest put;
  put.method = "PUT";
  put.path = std::string(kCmPath) + "one";
  put.content_type = "application/json";
  put.body = live.dump();
  ASSERT_EQ(em_->Handle(put).code, 200);
  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("put"), std::string::npos) << r.out;
}

// The client skips metadata.managedFields while decoding; user data of that name is kept, so an
// object holding it is not drift on every plan.
TEST_F(KubeObjectTest, DataNamedManagedFieldsIsRead) {
  WriteBlueprint(
      "resources:\n"
      "  kubernetes.object.one:\n"
      "    manifest:\n"
      "      apiVersion: v1\n"
      "      kind: ConfigMap\n"
      "      metadata: {name: one, namespace: default}\n"
      "      data: {managedFields: kept}\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Get(std::string(kCmPath) + "one")["data"]["managedFields"], "kept");
  // A write by another client, so that refresh reads the object rather than keep the state.
  ASSERT_EQ(ApplyAs("other", std::string(kCmPath) + "one",
                    {{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata",
                      {{"name", "one"}, {"namespace", "default"}, {"labels", {{"x", "y"}}}}}}),
            200);
  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(KubeObjectTest, UpdateThenPruneWhatLeftTheBlueprint) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a") +
                 ConfigMapResource("two", "default", "b"));
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  std::string uid = Get(std::string(kCmPath) + "one")["metadata"]["uid"];

  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a2"));
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json one = Get(std::string(kCmPath) + "one");
  EXPECT_EQ(one["data"]["key"], "a2");
  EXPECT_EQ(one["metadata"]["uid"], uid) << "updated in place, not replaced";
  EXPECT_TRUE(Get(std::string(kCmPath) + "two").is_null()) << "pruned";
  EXPECT_EQ(Cairn({"plan", "--detailed-exitcode"}).exit_code, 0);

  // Deleted behind cairn's back: the plan creates it again.
  emulators::KubeRequest del;
  del.method = "DELETE";
  del.path = std::string(kCmPath) + "one";
  ASSERT_EQ(em_->Handle(del).code, 200);
  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("will be created"), std::string::npos) << r.out;
}

TEST_F(KubeObjectTest, AnObjectLeftByAKilledApplyIsAdoptedNotDuplicated) {
  nlohmann::json body = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata",
                          {{"name", "one"},
                           {"namespace", "default"},
                           {"labels", {{"app.kubernetes.io/managed-by", "cairn"}}},
                           {"annotations", {{"cairn.io/address", "kubernetes.object.one"}}}}},
                         {"data", {{"key", "a"}}}};
  ASSERT_EQ(ApplyAs("cairn", std::string(kCmPath) + "one", body), 201);
  std::string uid = Get(std::string(kCmPath) + "one")["metadata"]["uid"];

  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Get(std::string(kCmPath) + "one")["metadata"]["uid"], uid);
  r = Cairn({"show"});
  EXPECT_NE(r.out.find(uid), std::string::npos) << "the state holds the adopted object\n" << r.out;
  EXPECT_EQ(Cairn({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(KubeObjectTest, RefreshIsOneListPerKindAndNamespace) {
  std::string resources = "resources:\n";
  for (int i = 0; i < 6; ++i)
    resources += ConfigMapResource("d" + std::to_string(i), "default", "x");
  resources +=
      "  kubernetes.object.ns:\n"
      "    manifest: {apiVersion: v1, kind: Namespace, metadata: {name: other}}\n";
  for (int i = 0; i < 3; ++i)
    resources += ConfigMapResource("o" + std::to_string(i), "other", "x") +
                 "    depends_on: [kubernetes.object.ns]\n";
  WriteBlueprint(resources);
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  em_->ClearRequests();
  r = Cairn({"plan", "--detailed-exitcode"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::vector<std::string> reqs = em_->requests();
  auto count = [&](const std::string& prefix) {
    return std::count_if(reqs.begin(), reqs.end(),
                         [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
  };
  EXPECT_EQ(count("GET /api/v1/namespaces/default/configmaps?"), 1);
  EXPECT_EQ(count("GET /api/v1/namespaces/other/configmaps?"), 1);
  EXPECT_EQ(count("GET /api/v1/namespaces/default/configmaps/"), 0) << "no GET per object";
  EXPECT_EQ(count("GET /api/v1/namespaces?"), 1);
  EXPECT_EQ(reqs.size(), 3u) << ::testing::PrintToString(reqs);
}

TEST_F(KubeObjectTest, InvalidObjectsArePointedOutInTheBlueprint) {
  WriteBlueprint(
      "resources:\n"
      "  kubernetes.object.bad:\n"
      "    manifest:\n"
      "      apiVersion: v1\n"
      "      kind: ConfigMap\n"
      "      metadata:\n"
      "        name: Not_A_Name\n"
      "        namespace: default\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  EXPECT_NE(r.exit_code, 0);
  std::string all = r.out + r.err;
  EXPECT_NE(all.find("blueprint.yaml:13:15"), std::string::npos) << all;
  EXPECT_NE(all.find("metadata.name"), std::string::npos) << all;
}

TEST_F(KubeObjectTest, BusyServersAreRetried) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  emulators::KubeFailure f;
  f.method = "PATCH";
  f.count = 2;
  f.code = 503;
  f.retry_after_seconds = 0;
  em_->InjectFailure(f);
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(em_->request_count("PATCH "), 3u);
  EXPECT_FALSE(Get(std::string(kCmPath) + "one").is_null());
}

}  // namespace
}  // namespace cairn::testing
