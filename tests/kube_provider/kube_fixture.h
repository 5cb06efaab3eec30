// Shared set-up for end-to-end tests of the kubernetes provider: an emulated API server (TLS and
// a bearer token, as a k3s cluster would have), a kubeconfig for it, and a blueprint folder.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/emulators/kube/kube_emulator.h"
#include "tests/support/test_support.h"

namespace cairn::testing {

/// A running KubeEmulator plus helpers to write blueprints and run cairn against it.
class KubeFixture : public ::testing::Test {
 protected:
  KubeFixture() {
    options_.tls = true;
    options_.token = "test-token";
  }
  void SetUp() override;

  /// Writes blueprint.yaml: the kubeconfig secret and provider settings, then `body`.
  void WriteBlueprint(const std::string& body);
  /// Runs cairn with `args` in the blueprint folder.
  CommandResult Cairn(std::vector<std::string> args, std::vector<std::string> env = {});
  /// GET of `path` from the emulator, in-process; null when it answers 404.
  nlohmann::json Get(const std::string& path);
  /// A server-side apply in-process under another field manager (an "out of band" client).
  int ApplyAs(const std::string& manager, const std::string& path, const nlohmann::json& body);

  emulators::KubeEmulatorOptions options_;  // change in a constructor, before SetUp
  int wait_timeout_ = 20;                   // providers.kubernetes.wait_timeout of blueprints
  std::unique_ptr<emulators::KubeEmulator> em_;
  TempDir dir_;
};

/// A kubernetes.object entry of `resources:` for a ConfigMap (YAML text, indented for it).
std::string ConfigMapResource(const std::string& name, const std::string& ns,
                              const std::string& value);

}  // namespace cairn::testing
