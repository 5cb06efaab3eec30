#define CPPHTTPLIB_OPENSSL_SUPPORT
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <zlib.h>

#include "tests/kube/kube_harness.h"
#include "tests/support/test_support.h"

namespace cairn::emulators {
namespace {

// The text of a gzip stream; "" when it is not one.
std::string Gunzip(const std::string& data) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "";
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "";
}

class KubeHttps : public ::testing::Test {
 protected:
  void SetUp() override {
    KubeEmulatorOptions opts;
    opts.tls = true;
    opts.token = "s3cret";
    kube_ = std::make_unique<KubeEmulator>(opts);
    Status s = kube_->Start();
    ASSERT_TRUE(s.ok()) << s.message();
    testing::WriteFile(tmp_.Join("ca.pem"), kube_->ca_pem());
  }
  std::unique_ptr<httplib::SSLClient> Client(bool verify = true) {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", kube_->port());
    c->set_ca_cert_path(tmp_.Join("ca.pem").c_str());
    c->enable_server_certificate_verification(verify);
    return c;
  }
  testing::TempDir tmp_;
  std::unique_ptr<KubeEmulator> kube_;
};

TEST_F(KubeHttps, CertificateVerifiesAgainstCaAndTokenIsRequired) {
  EXPECT_EQ(kube_->url().rfind("https://127.0.0.1:", 0), 0u);
  auto c = Client();
  auto anonymous = c->Get("/api/v1/namespaces");
  ASSERT_TRUE(anonymous) << httplib::to_string(anonymous.error());
  EXPECT_EQ(anonymous->status, 401);
  auto body = nlohmann::json::parse(anonymous->body);
  EXPECT_EQ(body["reason"], "Unauthorized");
  EXPECT_EQ(body["kind"], "Status");
  auto wrong = c->Get("/api/v1/namespaces", {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong->status, 401);
  auto ok = c->Get("/api/v1/namespaces", {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok->body)["kind"], "NamespaceList");
  EXPECT_EQ(kube_->request_count("GET /api/v1/namespaces"), 3u);
  EXPECT_EQ(kube_->request_count("POST "), 0u);
}

TEST_F(KubeHttps, InjectedFailuresCarryRetryAfter) {
  kube_->InjectFailure({"GET", "/api/v1", 2, 429, 3});
  auto c = Client();
  httplib::Headers auth = {{"Authorization", "Bearer s3cret"}};
  for (int i = 0; i < 2; ++i) {
    auto r = c->Get("/api/v1/namespaces/default", auth);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 429);
    EXPECT_EQ(r->get_header_value("Retry-After"), "3");
    auto body = nlohmann::json::parse(r->body);
    EXPECT_EQ(body["reason"], "TooManyRequests");
    EXPECT_EQ(body["details"]["retryAfterSeconds"], 3);
  }
  EXPECT_EQ(c->Get("/api/v1/namespaces/default", auth)->status, 200);
  kube_->InjectFailure({"", "", 1, 503, 0});
  auto r = c->Get("/apis", auth);
  EXPECT_EQ(r->status, 503);
  EXPECT_FALSE(r->has_header("Retry-After"));
}

TEST_F(KubeHttps, WritesAUsableKubeconfig) {
  std::string text = kube_->WriteKubeconfig(tmp_.Join("kubeconfig"));
  EXPECT_EQ(testing::ReadFile(tmp_.Join("kubeconfig")), text);
  EXPECT_NE(text.find("server: " + kube_->url()), std::string::npos);
  EXPECT_NE(text.find("certificate-authority-data: "), std::string::npos);
  EXPECT_NE(text.find("token: s3cret"), std::string::npos);
}

/// kubectl against the standalone kube-emulator binary: server-side apply and get.
TEST(KubeKubectl, ServerSideApplyAndGetRoundTrip) {
  testing::CommandResult which = testing::RunCommand({"/bin/sh", "-c", "command -v kubectl"});
  if (which.exit_code != 0) GTEST_SKIP() << "kubectl is not installed";
  testing::TempDir tmp;
  std::string kubeconfig = tmp.Join("kubeconfig");
  KubeEmulatorOptions opts;
  opts.tls = true;
  opts.token = "kubectl-token";
  KubeEmulator kube(opts);
  ASSERT_TRUE(kube.Start().ok());
  kube.WriteKubeconfig(kubeconfig);
  testing::WriteFile(tmp.Join("m.yaml"), R"(apiVersion: v1
kind: Namespace
metadata: {name: web}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: web, labels: {app: web}}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.25"}]}
)");
  std::vector<std::string> env = {"HOME=" + tmp.path(), "KUBECACHEDIR=" + tmp.Join("cache")};
  auto kubectl = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {"kubectl", "--kubeconfig", kubeconfig,
                                     "--request-timeout=20s"};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::RunCommand(argv, tmp.path(), env);
  };
  testing::CommandResult apply = kubectl({"apply", "--server-side", "-f", tmp.Join("m.yaml")});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("deployment.apps/web serverside-applied"), std::string::npos)
      << apply.out;
  testing::CommandResult again = kubectl({"apply", "--server-side", "-f", tmp.Join("m.yaml")});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  testing::CommandResult get =
      kubectl({"get", "configmap", "cfg", "-n", "web", "-o", "jsonpath={.data.greeting}"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.out, "hello");
  testing::CommandResult table = kubectl({"get", "deployments", "-n", "web"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("web"), std::string::npos) << table.out;
  EXPECT_GE(kube.request_count("PATCH /apis/apps/v1/namespaces/web/deployments/web"), 2u);
}

TEST_F(KubeHttps, OnlyLargeResponsesAreGzippedAndOnlyWhenAccepted) {
  // 200 ConfigMaps of about 1 KiB: their list is over the 128 KiB threshold, one alone is not.
  for (int i = 0; i < 200; ++i) {
    nlohmann::json cm = {{"apiVersion", "v1"},
                         {"kind", "ConfigMap"},
                         {"metadata", {{"name", "cm-" + std::to_string(i)}}},
                         {"data", {{"filler", std::string(1000, 'a' + i % 26)}}}};
    ASSERT_EQ(Call(kube_.get(), "POST", "/api/v1/namespaces/default/configmaps", cm.dump()).code,
              201);
  }
  auto c = Client();
  c->set_decompress(false);
  const std::string list = "/api/v1/namespaces/default/configmaps";
  auto plain = c->Get(list, {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->status, 200);
  EXPECT_FALSE(plain->has_header("Content-Encoding"));
  ASSERT_GE(plain->body.size(), size_t{128} << 10);
  EXPECT_EQ(nlohmann::json::parse(plain->body)["items"].size(), 200u);

  httplib::Headers gzip = {{"Authorization", "Bearer s3cret"},
                           {"Accept-Encoding", "gzip, deflate, br"}};
  auto packed = c->Get(list, gzip);
  ASSERT_TRUE(packed);
  EXPECT_EQ(packed->status, 200);
  EXPECT_EQ(packed->get_header_value("Content-Encoding"), "gzip");
  EXPECT_LT(packed->body.size(), plain->body.size() / 4);
  EXPECT_EQ(Gunzip(packed->body), plain->body);

  auto one = c->Get(list + "/cm-7", gzip);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->status, 200);
  EXPECT_FALSE(one->has_header("Content-Encoding"));
  EXPECT_EQ(nlohmann::json::parse(one->body)["data"]["filler"], std::string(1000, 'h'));
}

// --write-latency-ms, for benchmarks that model a real API server's storage commit: a write is
// applied at once (another connection reads it) and answered only after the delay.
TEST(KubeHttp, WriteLatencyDelaysTheAnswerNotTheWrite) {
  KubeEmulatorOptions opts;
  opts.write_latency_ms = 1000;
  KubeEmulator kube(opts);
  ASSERT_TRUE(kube.Start().ok());
  const std::string path = "/api/v1/namespaces/default/configmaps/slow";
  std::atomic<bool> answered{false};
  int code = 0;
  auto start = std::chrono::steady_clock::now();
  std::thread writer([&] {
    httplib::Client c("127.0.0.1", kube.port());
    auto r = c.Patch(path + "?fieldManager=t",
                     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: slow}\n",
                     "application/apply-patch+yaml");
    code = r ? r->status : -1;
    answered = true;
  });
  httplib::Client reader("127.0.0.1", kube.port());
  bool seen = false;
  for (int i = 0; i < 400 && !seen && !answered; ++i) {
    auto r = reader.Get(path);
    seen = r && r->status == 200;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  bool seen_before_answer = seen && !answered;
  writer.join();
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(code, 201);
  EXPECT_TRUE(seen_before_answer) << "the object was not readable while its write was delayed";
  EXPECT_GE(took, std::chrono::milliseconds(1000));
  auto get = reader.Get(path);
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 200);  // a read is not delayed (nor refused) itself
}

}  // namespace
}  // namespace cairn::emulators
