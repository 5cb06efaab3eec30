// The etcd backend over TLS with client certificates (state.tls: ca, cert, key).
#include <gtest/gtest.h>

#include "engine/state/etcd_backend.h"
#include "tests/etcd/etcd_cluster.h"
#include "tests/state/state_fixture.h"
#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

// Runs openssl in `dir`; "" or its complaint.
std::string Openssl(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), "openssl");
  args.insert(args.begin(), "/usr/bin/env");
  CommandResult r = RunCommand(args, dir.path());
  return r.exit_code == 0 ? "" : r.err;
}

// A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. etcd
// also presents its server certificate as a client (its gateway calls its gRPC port), hence
// clientAuth on it too.
std::string MakeCertificates(const TempDir& d) {
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                       "-nodes"};
  auto req = [&](const std::string& name, const std::string& cn) {
    std::vector<std::string> a = {"req"};
    a.insert(a.end(), ec.begin(), ec.end());
    a.insert(a.end(), {"-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn});
    return Openssl(d, a);
  };
  auto sign = [&](const std::string& name, const std::string& ext) {
    WriteFile(d.Join(name + ".ext"), ext);
    return Openssl(
        d, {"x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", name + ".pem", "-extfile", name + ".ext"});
  };
  std::vector<std::string> ca = {"req", "-x509"};
  ca.insert(ca.end(), ec.begin(), ec.end());
  ca.insert(ca.end(),
            {"-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=cairn test CA"});
  for (const std::string& err :
       {Openssl(d, ca), req("server", "127.0.0.1"),
        sign("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n"),
        req("client", "cairn"), sign("client", "extendedKeyUsage=clientAuth\n")}) {
    if (!err.empty()) return err;
  }
  return "";
}

TEST(EtcdTlsTest, StateIsSavedOverTlsWithAClientCertificateAndRefusedWithout) {
  TempDir certs;
  ASSERT_EQ(MakeCertificates(certs), "");
  EtcdCluster cluster(1);
  cluster.UseTls(certs.Join("ca.pem"), certs.Join("server.pem"), certs.Join("server.key"),
                 certs.Join("client.pem"), certs.Join("client.key"));
  ASSERT_EQ(cluster.Start(), "");
  ASSERT_EQ(cluster.endpoints()[0].rfind("https://", 0), 0u);

  state::EtcdOptions o;
  o.endpoints = cluster.endpoints();
  o.prefix = "/tls/";
  o.ca = certs.Join("ca.pem");
  o.cert = certs.Join("client.pem");
  o.key = certs.Join("client.key");
  state::EtcdBackend b(o);
  state::State s = *b.Load();
  s.resources["local.file.a"] = state::Res("a");
  s.serial = 1;
  ASSERT_TRUE(b.Save(s).ok());
  Result<state::State> back = state::EtcdBackend(o).Load();
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_NE(back->Find("local.file.a"), nullptr);

  // Without a client certificate etcd refuses the connection; cairn says so and gives up.
  state::EtcdOptions anonymous = o;
  anonymous.cert.clear();
  anonymous.key.clear();
  anonymous.retry_for = std::chrono::milliseconds(1000);
  Result<state::State> refused = state::EtcdBackend(anonymous).Load();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("etcd did not answer"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace cairn::testing
