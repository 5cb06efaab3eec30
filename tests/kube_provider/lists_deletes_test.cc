// kubernetes.object through the cairn binary against the emulated API server: empty lists reach
// the server as lists, deletes wait until finalizers let the object go, and large LISTs come
// gzipped unless compression is disabled.
#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/kube_provider/kube_fixture.h"

namespace cairn::testing {
namespace {

constexpr char kCmOne[] = "/api/v1/namespaces/default/configmaps/one";

class KubeListsDeletesTest : public KubeFixture {
 protected:
  // Puts a finalizer on the ConfigMap "one" (as a controller would) or takes it away.
  int Hold(bool on) {
    nlohmann::json md = {{"name", "one"}, {"namespace", "default"}};
    if (on) md["finalizers"] = {"example.com/hold"};
    return ApplyAs("guard", kCmOne,
                   {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", md}});
  }
};

TEST_F(KubeListsDeletesTest, EmptyListsReachTheServerAsListsAndAreNotDrift) {
  WriteBlueprint(
      "resources:\n"
      "  kubernetes.object.web:\n"
      "    manifest:\n"
      "      apiVersion: apps/v1\n"
      "      kind: Deployment\n"
      "      metadata: {name: web, namespace: default}\n"
      "      spec:\n"
      "        replicas: 1\n"
      "        selector: {matchLabels: {app: web}}\n"
      "        template:\n"
      "          metadata: {labels: {app: web}}\n"
      "          spec:\n"
      "            containers:\n"
      "            - name: web\n"
      "              image: nginx:1.27\n"
      "              args: []\n"
      "              env: []\n");
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json web = Get("/apis/apps/v1/namespaces/default/deployments/web");
  ASSERT_FALSE(web.is_null());
  const nlohmann::json& c = web["spec"]["template"]["spec"]["containers"][0];
  EXPECT_TRUE(c["args"].is_array()) << c.dump();
  EXPECT_TRUE(c["args"].empty()) << c.dump();
  EXPECT_TRUE(c["env"].is_array()) << c.dump();

  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// A LIST of 128 KiB or more comes gzipped, as from kube-apiserver; the kubeconfig's
// disable-compression (or the provider's disable_compression) asks for it uncompressed, as
// kubectl --disable-compression does. Either way the plan reads the same objects.
TEST_F(KubeListsDeletesTest, DisableCompressionAsksForUncompressedLists) {
  const std::string big(140 * 1024, 'x');
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", big));
  CommandResult r = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GE(em_->gzipped_responses(), 1u);

  size_t before = em_->gzipped_responses();
  std::string kubeconfig = ReadFile(dir_.Join("kubeconfig.yaml"));
  size_t at = kubeconfig.find("    server: ");
  ASSERT_NE(at, std::string::npos);
  kubeconfig.insert(at, "    disable-compression: true\n");
  WriteFile(dir_.Join("kubeconfig.yaml"), kubeconfig);
  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(em_->gzipped_responses(), before);

  // The provider setting wins over the kubeconfig's.
  WriteBlueprint("    disable_compression: false\nresources:\n" +
                 ConfigMapResource("one", "default", big));
  r = Cairn({"plan", "--detailed-exitcode"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_GT(em_->gzipped_responses(), before);
}

TEST_F(KubeListsDeletesTest, ADeleteWaitsUntilTheObjectIsGone) {
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  ASSERT_EQ(Cairn({"apply", "--auto-approve"}).exit_code, 0);
  ASSERT_EQ(Hold(true), 200);

  // Held past the deadline: the destroy fails, names the finalizer, and keeps the state.
  wait_timeout_ = 2;
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  CommandResult r = Cairn({"destroy", "--auto-approve", "--max-retries", "0"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  std::string all = r.out + r.err;
  EXPECT_NE(all.find("still being deleted"), std::string::npos) << all;
  EXPECT_NE(all.find("example.com/hold"), std::string::npos) << all;
  nlohmann::json one = Get(kCmOne);
  ASSERT_FALSE(one.is_null());
  EXPECT_TRUE(one["metadata"].contains("deletionTimestamp")) << one.dump();
  r = Cairn({"state", "list"});
  EXPECT_NE(r.out.find("kubernetes.object.one"), std::string::npos) << r.out << r.err;

  // Released while cairn waits (after its DELETE reached the server): the destroy completes.
  wait_timeout_ = 60;
  WriteBlueprint("resources:\n" + ConfigMapResource("one", "default", "a"));
  size_t deletes = em_->request_count("DELETE ");
  std::atomic<bool> done{false};
  CommandResult second;
  std::thread destroy([&] {
    second = Cairn({"destroy", "--auto-approve"});
    done = true;
  });
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (em_->request_count("DELETE ") == deletes && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(done) << "destroy returned while the object was still there";
  EXPECT_EQ(Hold(false), 200);
  destroy.join();
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_TRUE(Get(kCmOne).is_null());
  r = Cairn({"state", "list"});
  EXPECT_EQ(r.out.find("kubernetes.object.one"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace cairn::testing
