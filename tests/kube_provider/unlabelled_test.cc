// kubernetes.object through the cairn binary against the emulated API server: an object whose
// managed-by label was removed out of band is still found by refresh (a GET by name after the
// LISTs), so the plan updates it rather than creating it, and a prune deletes it; an object of
// the same name made by someone else since is not taken for it.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/kube_provider/kube_fixture.h"

namespace cairn::testing {
namespace {

constexpr char kCmPath[] = "/api/v1/namespaces/default/configmaps/";
constexpr char kLabel[] = "app.kubernetes.io/managed-by";

class KubeUnlabelledTest : public KubeFixture {
 protected:
  // Removes cairn's label from the ConfigMap `name` with a merge patch, as
  // `kubectl label configmap NAME app.kubernetes.io/managed-by-` does.
  void StripLabel(const std::string& name) {
    emulators::KubeRequest patch;
    patch.method = "PATCH";
    patch.path = std::string(kCmPath) + name;
    patch.content_type = "application/merge-patch+json";
    patch.body = nlohmann::json{{"metadata", {{"labels", {{kLabel, nullptr}}}}}}.dump();
    ASSERT_EQ(em_->Handle(patch).code, 200);
    nlohmann::json live = Get(std::string(kCmPath) + name);
    ASSERT_FALSE(live.is_null());
    ASSERT_FALSE(live["metadata"].contains("labels") && live["metadata"]["labels"].contains(kLabel))
        << live.dump();
  }

  // Requests since the last ClearRequests whose "METHOD /path?query" starts with `prefix`.
  long Count(const std::string& prefix) {
    std::vector<std::string> reqs = em_->requests();
    return std::count_if(reqs.begin(), reqs.end(),
                         [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
  }
};

TEST_F(KubeUnlabelledTest, AnObjectWhoseLabelWasRemovedIsUpdatedNotCreated) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a") +
                 ConfigMapResource("two", "default", "b"));
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string uid = Get(std::string(kCmPath) + "one")["metadata"]["uid"];
  StripLabel("one");

  em_->ClearRequests();
  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("kubernetes.object.one will be updated in-place"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("will be created"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(kLabel), std::string::npos) << "the diff names the label\n" << r.out;
  EXPECT_EQ(r.out.find("kubernetes.object.two will"), std::string::npos) << r.out;
  // One LIST, then one GET for the object it did not return, not for the other.
  EXPECT_EQ(Count("GET /api/v1/namespaces/default/configmaps?"), 1);
  EXPECT_EQ(Count("GET /api/v1/namespaces/default/configmaps/one"), 1);
  EXPECT_EQ(Count("GET /api/v1/namespaces/default/configmaps/two"), 0);

  r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json one = Get(std::string(kCmPath) + "one");
  EXPECT_EQ(one["metadata"]["labels"][kLabel], "cairn") << one.dump();
  EXPECT_EQ(one["metadata"]["uid"], uid) << "updated in place, not replaced";
  EXPECT_EQ(one["data"]["key"], "a");

  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("No changes"), std::string::npos) << r.out;
}

// The label taken off and a value changed in the same edit: both show, and apply restores both.
TEST_F(KubeUnlabelledTest, OtherDriftOfAnUnlabelledObjectShowsToo) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  emulators::KubeRequest patch;
  patch.method = "PATCH";
  patch.path = std::string(kCmPath) + "one";
  patch.content_type = "application/merge-patch+json";
  patch.body =
      nlohmann::json{{"metadata", {{"labels", {{kLabel, "helm"}}}}}, {"data", {{"key", "edited"}}}}
          .dump();
  ASSERT_EQ(em_->Handle(patch).code, 200);

  CommandResult r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("will be updated in-place"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("edited"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("helm"), std::string::npos) << r.out;

  // The merge patch made its client the manager of both fields: taking them back needs force.
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a") + "    force: true\n");
  r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json one = Get(std::string(kCmPath) + "one");
  EXPECT_EQ(one["metadata"]["labels"][kLabel], "cairn") << one.dump();
  EXPECT_EQ(one["data"]["key"], "a");
  EXPECT_EQ(Cairn({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(KubeUnlabelledTest, AnUnlabelledObjectIsStillPruned) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a") +
                 ConfigMapResource("two", "default", "b"));
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  StripLabel("two");

  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Get(std::string(kCmPath) + "two").is_null()) << "pruned, not left behind";
  EXPECT_FALSE(Get(std::string(kCmPath) + "one").is_null());
  EXPECT_EQ(Cairn({"plan", "--detailed-exitcode"}).exit_code, 0);
}

// Deleted and made again by another client (here for another cairn address, as its annotation
// says): a new object with another uid, which is not the one cairn recorded, so the plan creates
// (adopts) it as it did before, and no update is claimed for an object cairn never applied.
TEST_F(KubeUnlabelledTest, AnObjectOfTheSameNameMadeByAnotherClientIsNotOurs) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  std::string uid = Get(std::string(kCmPath) + "one")["metadata"]["uid"];
  emulators::KubeRequest del;
  del.method = "DELETE";
  del.path = std::string(kCmPath) + "one";
  ASSERT_EQ(em_->Handle(del).code, 200);
  nlohmann::json body = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata",
                          {{"name", "one"},
                           {"namespace", "default"},
                           {"annotations", {{"cairn.io/address", "kubernetes.object.elsewhere"}}}}},
                         {"data", {{"key", "theirs"}}}};
  ASSERT_EQ(ApplyAs("kubectl", std::string(kCmPath) + "one", body), 201);
  ASSERT_NE(Get(std::string(kCmPath) + "one")["metadata"]["uid"], uid);

  CommandResult r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("kubernetes.object.one will be created"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cairn::testing
