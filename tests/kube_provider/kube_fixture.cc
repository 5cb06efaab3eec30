#include "tests/kube_provider/kube_fixture.h"

namespace cairn::testing {

void KubeFixture::SetUp() {
  em_ = std::make_unique<emulators::KubeEmulator>(options_);
  Status s = em_->Start();
  ASSERT_TRUE(s.ok()) << s.message();
  em_->WriteKubeconfig(dir_.Join("kubeconfig.yaml"));
}

void KubeFixture::WriteBlueprint(const std::string& body) {
  WriteFile(dir_.Join("blueprint.yaml"),
            "secrets:\n"
            "  kubeconfig: file:kubeconfig.yaml\n"
            "providers:\n"
            "  kubernetes:\n"
            "    kubeconfig_content: \"${secrets.kubeconfig}\"\n"
            "    wait_timeout: " +
                std::to_string(wait_timeout_) + "\n" + body);
}

CommandResult KubeFixture::Cairn(std::vector<std::string> args, std::vector<std::string> env) {
  args.insert(args.begin(), CairnBinary());
  env.push_back("NO_COLOR=1");
  return RunCommand(args, dir_.path(), env);
}

nlohmann::json KubeFixture::Get(const std::string& path) {
  emulators::KubeRequest req;
  req.method = "GET";
  req.path = path;
  emulators::KubeResponse resp = em_->Handle(req);
  if (resp.code == 404) return nullptr;
  return nlohmann::json::parse(resp.body);
}

int KubeFixture::ApplyAs(const std::string& manager, const std::string& path,
                         const nlohmann::json& body) {
  emulators::KubeRequest req;
  req.method = "PATCH";
  req.path = path;
  req.query["fieldManager"] = manager;
  req.content_type = "application/apply-patch+yaml";
  req.body = body.dump();
  return em_->Handle(req).code;
}

std::string ConfigMapResource(const std::string& name, const std::string& ns,
                              const std::string& value) {
  return "  kubernetes.object." + name +
         ":\n"
         "    manifest:\n"
         "      apiVersion: v1\n"
         "      kind: ConfigMap\n"
         "      metadata: {name: " +
         name + ", namespace: " + ns +
         "}\n"
         "      data: {key: \"" +
         value + "\"}\n";
}

}  // namespace cairn::testing
