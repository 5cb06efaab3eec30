#include <gtest/gtest.h>

#include "tests/kube/kube_harness.h"

namespace cairn::emulators {
namespace {

const char* kPath = "/api/v1/namespaces/default/configmaps/cfg";

std::string Cm(const std::string& data) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n" + data;
}

TEST(KubeApply, CreatesThenUpdatesAndNoOpKeepsResourceVersion) {
  KubeEmulator kube;
  Reply c = ApplyAs(&kube, kPath, Cm("  a: '1'\n"), "alice");
  ASSERT_EQ(c.code, 201) << c.raw.body;
  Reply same = ApplyAs(&kube, kPath, Cm("  a: '1'\n"), "alice");
  EXPECT_EQ(same.code, 200);
  EXPECT_EQ(Rv(same), Rv(c));
  Reply changed = ApplyAs(&kube, kPath, Cm("  a: '2'\n"), "alice");
  EXPECT_EQ(changed.code, 200);
  EXPECT_NE(Rv(changed), Rv(c));
  EXPECT_EQ(changed.body["data"]["a"], "2");
  const auto& mf = changed.body["metadata"]["managedFields"];
  ASSERT_EQ(mf.size(), 1u);
  EXPECT_EQ(mf[0]["manager"], "alice");
  EXPECT_EQ(mf[0]["operation"], "Apply");
  EXPECT_EQ(mf[0]["fieldsType"], "FieldsV1");
  EXPECT_EQ(mf[0]["fieldsV1"], nlohmann::json::parse(R"({"f:data":{"f:a":{}}})"));
}

TEST(KubeApply, JsonBodyIsAcceptedToo) {
  KubeEmulator kube;
  Reply c = ApplyAs(&kube, kPath,
                    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg"},
                        "data":{"a":"1"}})",
                    "alice");
  EXPECT_EQ(c.code, 201);
}

TEST(KubeApply, FieldManagerIsRequired) {
  KubeEmulator kube;
  Reply r = Call(&kube, "PATCH", kPath, Cm("  a: '1'\n"), "application/apply-patch+yaml");
  EXPECT_EQ(r.code, 422);
  EXPECT_EQ(r.body["message"],
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
            "for apply patch");
  EXPECT_EQ(r.body["details"]["causes"][0]["field"], "fieldManager");
}

TEST(KubeApply, ConflictWithAnotherManagerAndForceMovesOwnership) {
  KubeEmulator kube;
  ASSERT_EQ(ApplyAs(&kube, kPath, Cm("  a: '1'\n  b: '1'\n"), "alice").code, 201);
  // Same value: shared ownership, no conflict.
  EXPECT_EQ(ApplyAs(&kube, kPath, Cm("  a: '1'\n"), "bob").code, 200);
  Reply one = ApplyAs(&kube, kPath, Cm("  b: '2'\n"), "bob");
  EXPECT_EQ(one.code, 409);
  EXPECT_EQ(one.body, nlohmann::json::parse(R"({"kind":"Status","apiVersion":"v1",
    "metadata":{},"status":"Failure",
    "message":"Apply failed with 1 conflict: conflict with \"alice\": .data.b",
    "reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict",
    "message":"conflict with \"alice\"","field":".data.b"}]},"code":409})"));
  Reply two = ApplyAs(&kube, kPath, Cm("  a: '9'\n  b: '9'\n"), "bob");
  EXPECT_EQ(two.code, 409);
  EXPECT_EQ(two.body["message"],
            "Apply failed with 2 conflicts: conflicts with \"alice\":\n- .data.a\n- .data.b");
  Reply forced = ApplyAs(&kube, kPath, Cm("  b: '2'\n"), "bob", true);
  ASSERT_EQ(forced.code, 200) << forced.raw.body;
  EXPECT_EQ(forced.body["data"]["b"], "2");
  // alice no longer owns b: her apply without it does not remove it, and bob may change it.
  EXPECT_EQ(ApplyAs(&kube, kPath, Cm("  a: '1'\n"), "alice").code, 200);
  Reply now = Call(&kube, "GET", kPath);
  EXPECT_EQ(now.body["data"]["b"], "2");
  EXPECT_EQ(ApplyAs(&kube, kPath, Cm("  b: '3'\n"), "bob").code, 200);
}

TEST(KubeApply, ConflictWithUpdateManagerNamesApiVersion) {
  KubeEmulator kube;
  ASSERT_EQ(ApplyAs(&kube, kPath, Cm("  a: '1'\n"), "alice").code, 201);
  Reply p = Call(&kube, "PATCH", kPath, R"({"data":{"a":"edited"}})",
                 "application/merge-patch+json", {{"fieldManager", "kubectl-edit"}});
  ASSERT_EQ(p.code, 200) << p.raw.body;
  Reply r = ApplyAs(&kube, kPath, Cm("  a: '1'\n"), "alice");
  EXPECT_EQ(r.code, 409);
  EXPECT_EQ(r.body["details"]["causes"][0]["message"], "conflict with \"kubectl-edit\" using v1");
}

TEST(KubeApply, RemovedFieldIsDeletedUnlessSomeoneElseOwnsIt) {
  KubeEmulator kube;
  ASSERT_EQ(ApplyAs(&kube, kPath, Cm("  a: '1'\n  b: '1'\n  c: '1'\n"), "alice").code, 201);
  ASSERT_EQ(ApplyAs(&kube, kPath, Cm("  c: '1'\n"), "bob").code, 200);
  Reply r = ApplyAs(&kube, kPath, Cm("  a: '1'\n"), "alice");
  ASSERT_EQ(r.code, 200);
  EXPECT_EQ(r.body["data"], nlohmann::json::parse(R"({"a":"1","c":"1"})"));
}

TEST(KubeApply, MergePatchOnMissingObjectIsNotFoundAndForceIsForbidden) {
  KubeEmulator kube;
  Reply r = Call(&kube, "PATCH", kPath, R"({"data":{"a":"1"}})", "application/merge-patch+json");
  EXPECT_EQ(r.code, 404);
  Reply f = Call(&kube, "PATCH", kPath, R"({"data":{"a":"1"}})", "application/merge-patch+json",
                 {{"force", "true"}});
  EXPECT_EQ(f.code, 422);
  EXPECT_EQ(f.body["details"]["causes"][0]["message"],
            "Forbidden: may not be specified for non-apply patch");
}

TEST(KubeApply, MergePatchUpdatesAndNullDeletes) {
  KubeEmulator kube;
  ASSERT_EQ(ApplyAs(&kube, kPath, Cm("  a: '1'\n  b: '1'\n"), "alice").code, 201);
  Reply r =
      Call(&kube, "PATCH", kPath, R"({"data":{"a":"2","b":null}})", "application/merge-patch+json");
  ASSERT_EQ(r.code, 200);
  EXPECT_EQ(r.body["data"], nlohmann::json::parse(R"({"a":"2"})"));
}

TEST(KubeApply, ManagedFieldsInBodyAreRejected) {
  KubeEmulator kube;
  Reply r = ApplyAs(&kube, kPath,
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n"
                    "  managedFields: []\n",
                    "alice");
  EXPECT_EQ(r.code, 400);
}

}  // namespace
}  // namespace cairn::emulators
