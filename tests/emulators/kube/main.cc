// kube-emulator: runs the Kubernetes API emulator until interrupted, for benchmarks and for
// trying clients (kubectl included) by hand.
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include <malloc.h>

#include "tests/emulators/kube/kube_emulator.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

int Usage() {
  std::cerr << "usage: kube-emulator [--tls] [--token T] [--port N] [--kubeconfig PATH]\n"
               "                     [--crds FILE]... [--crd-delay-ms N] [--ready-delay-ms N]\n"
               "                     [--write-latency-ms N]\n"
               "Serves an emulated Kubernetes 1.28 API on 127.0.0.1 until SIGINT/SIGTERM.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Every write keeps a new object, so each connection thread's malloc arena keeps growing; by
  // default it grows a few pages at a time (an mprotect call, twice a request).
  mallopt(M_TOP_PAD, 16 << 20);
  cairn::emulators::KubeEmulatorOptions options;
  std::string kubeconfig;
  std::vector<std::string> crds;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--tls") {
      options.tls = true;
    } else if (arg == "--token") {
      options.token = next();
    } else if (arg == "--port") {
      options.port = std::atoi(next().c_str());
    } else if (arg == "--kubeconfig") {
      kubeconfig = next();
    } else if (arg == "--crds") {
      crds.push_back(next());
    } else if (arg == "--crd-delay-ms") {
      options.crd_establish_ms = std::atoi(next().c_str());
    } else if (arg == "--ready-delay-ms") {
      options.deployment_ready_ms = std::atoi(next().c_str());
    } else if (arg == "--write-latency-ms") {
      options.write_latency_ms = std::atoi(next().c_str());
    } else {
      return Usage();
    }
  }
  cairn::emulators::KubeEmulator emulator(options);
  for (const std::string& file : crds) {
    cairn::Status s = emulator.LoadCrdFile(file);
    if (!s.ok()) {
      std::cerr << "kube-emulator: " << s.message() << "\n";
      return 1;
    }
  }
  cairn::Status s = emulator.Start();
  if (!s.ok()) {
    std::cerr << "kube-emulator: " << s.message() << "\n";
    return 1;
  }
  if (!kubeconfig.empty()) emulator.WriteKubeconfig(kubeconfig);
  std::cout << emulator.url() << std::endl;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  emulator.Stop();
  return 0;
}
