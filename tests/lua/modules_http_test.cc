// host.http against a real HTTPS server on 127.0.0.1 whose certificates are made here.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/lua/modules_harness.h"
#include "tests/support/test_support.h"

namespace cairn::lua {
namespace {

using ::testing::HasSubstr;

/// A key and a certificate made in memory; a CA when it signs itself.
struct Identity {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~Identity() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Makes `id` a certificate for `cn`, signed by `issuer` (or by itself when issuer is null).
void MakeIdentity(Identity* id, const char* cn, const Identity* issuer, long serial) {
  id->key = EVP_EC_gen("P-256");
  ASSERT_NE(id->key, nullptr);
  id->cert = X509_new();
  X509_set_version(id->cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(id->cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(id->cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(id->cert), 3600);
  X509_set_pubkey(id->cert, id->key);
  X509_NAME* name = X509_get_subject_name(id->cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* signer = issuer ? issuer->cert : id->cert;
  X509_set_issuer_name(id->cert, X509_get_subject_name(signer));
  if (issuer == nullptr) {
    AddExt(id->cert, signer, NID_basic_constraints, "critical,CA:TRUE");
    AddExt(id->cert, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExt(id->cert, signer, NID_basic_constraints, "CA:FALSE");
    AddExt(id->cert, signer, NID_subject_alt_name, "IP:127.0.0.1");
  }
  ASSERT_GT(X509_sign(id->cert, issuer ? issuer->key : id->key, EVP_sha256()), 0);
}

void WritePem(const Identity& id, const std::string& cert_path, const std::string& key_path) {
  FILE* f = std::fopen(cert_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_X509(f, id.cert);
  std::fclose(f);
  if (key_path.empty()) return;
  f = std::fopen(key_path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  PEM_write_PrivateKey(f, id.key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

class HttpModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Identity ca, other_ca, server;
    MakeIdentity(&ca, "cairn test CA", nullptr, 1);
    MakeIdentity(&other_ca, "some other CA", nullptr, 2);
    MakeIdentity(&server, "127.0.0.1", &ca, 3);
    ca_file_ = tmp_.Join("ca.pem");
    other_ca_file_ = tmp_.Join("other-ca.pem");
    WritePem(ca, ca_file_, "");
    WritePem(other_ca, other_ca_file_, "");
    WritePem(server, tmp_.Join("server.pem"), tmp_.Join("server.key"));

    server_ = std::make_unique<httplib::SSLServer>(tmp_.Join("server.pem").c_str(),
                                                   tmp_.Join("server.key").c_str());
    ASSERT_TRUE(server_->is_valid());
    server_->set_keep_alive_max_count(100);  // the default closes after 5 requests
    server_->set_tcp_nodelay(true);          // no Nagle stall between header and body writes
    server_->Get("/hello", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        client_ports_.insert(req.remote_port);
      }
      res.set_header("X-Token-Id", "42");
      res.set_header("Set-Cookie", "a=1");
      res.set_header("Set-Cookie", "b=2");
      res.set_content("hello " + req.get_header_value("X-Name"), "text/plain");
    });
    server_->Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content(req.method + " " + req.body, "text/plain");
    });
    server_->Delete("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("{\"error\":\"not found\"}", "application/json");
    });
    server_->Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      release_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so wait for it (or TearDown could hang).
    for (int i = 0; i < 5000 && !server_->is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_TRUE(server_->is_running());
    base_ = "https://127.0.0.1:" + std::to_string(port_);
    lua_pushstring(h_->state(), base_.c_str());
    lua_setglobal(h_->state(), "base");
    lua_pushstring(h_->state(), ca_file_.c_str());
    lua_setglobal(h_->state(), "ca_file");
    lua_pushstring(h_->state(), other_ca_file_.c_str());
    lua_setglobal(h_->state(), "other_ca_file");
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    release_cv_.notify_all();
    h_.reset();
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  cairn::testing::TempDir tmp_;
  // Destroyed before the server stops, so that its open connection does not hold the server.
  std::unique_ptr<testing::ModuleHarness> h_ = std::make_unique<testing::ModuleHarness>();
  std::string ca_file_, other_ca_file_, base_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable release_cv_;
  bool released_ = false;
  std::set<int> client_ports_;
};

TEST_F(HttpModuleTest, VerifiedRequestWithTheRightCaSucceeds) {
  EXPECT_EQ(h_->Eval(R"(
    local resp, err = http.request{ url = base .. "/hello", ca_file = ca_file,
                                     headers = { ["X-Name"] = "cairn" } }
    assert(resp, err)
    return resp.status .. " " .. resp.body .. " " .. resp.headers["content-type"] .. " "
        .. resp.headers["x-token-id"])"),
            "200 hello cairn text/plain 42");
}

TEST_F(HttpModuleTest, RepeatedHeadersAreJoined) {
  EXPECT_EQ(h_->Eval(R"(
    return http.request{ url = base .. "/hello", ca_file = ca_file }.headers["set-cookie"])"),
            "a=1, b=2");
}

TEST_F(HttpModuleTest, TheWrongCaIsRefusedWithCurlsReason) {
  EXPECT_THAT(h_->Eval(R"(
    local resp, err = http.request{ url = base .. "/hello", ca_file = other_ca_file }
    return tostring(resp) .. " " .. err)"),
              HasSubstr("nil SSL certificate problem"));
}

// The VMs of one plugin share TLS sessions; a session is resumed only under the same trust
// settings, so another VM with the wrong CA (or without insecure) is still refused.
TEST_F(HttpModuleTest, SharedTlsSessionsDoNotSkipVerification) {
  h_->ctx().plugin = "shared";
  h_->ctx().insecure_endpoints = {base_ + "/"};
  EXPECT_EQ(h_->Eval(R"(return http.request{ url = base .. "/hello", ca_file = ca_file }.status)"),
            "200");
  EXPECT_EQ(h_->Eval(R"(return http.request{ url = base .. "/hello", insecure = true }.status)"),
            "200");
  testing::ModuleHarness other;  // a second VM of the same plugin
  other.ctx().plugin = "shared";
  lua_pushstring(other.state(), base_.c_str());
  lua_setglobal(other.state(), "base");
  lua_pushstring(other.state(), other_ca_file_.c_str());
  lua_setglobal(other.state(), "other_ca_file");
  lua_pushstring(other.state(), ca_file_.c_str());
  lua_setglobal(other.state(), "ca_file");
  EXPECT_THAT(other.Eval(R"(
    local resp, err = http.request{ url = base .. "/hello", ca_file = other_ca_file }
    return tostring(resp) .. " " .. err)"),
              HasSubstr("nil SSL certificate problem"));
  EXPECT_THAT(other.Eval(R"(return select(2, http.request{ url = base .. "/hello" }))"),
              HasSubstr("SSL certificate problem"));
  EXPECT_EQ(
      other.Eval(R"(return http.request{ url = base .. "/hello", ca_file = ca_file }.status)"),
      "200");
}

TEST_F(HttpModuleTest, InsecureIsRefusedUnlessTheEndpointIsAllowListed) {
  h_->ctx().plugin = "proxmox";
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base .. "/hello", insecure = true })"),
              HasSubstr("test.lua:1: http.request: insecure = true is refused for " + base_ +
                        "/hello: TLS verification may be switched off only for URLs listed "
                        "under providers.proxmox.insecure_endpoints"));
  h_->ctx().insecure_endpoints = {base_ + "/"};
  EXPECT_EQ(h_->Eval(R"(return http.request{ url = base .. "/hello", insecure = true }.status)"),
            "200");
  // Without insecure the allow-list changes nothing: verification stays on.
  EXPECT_THAT(h_->Eval(R"(return select(2, http.request{ url = base .. "/hello" }))"),
              HasSubstr("SSL certificate problem"));
}

TEST_F(HttpModuleTest, StatusCodesAndBodiesPassThrough) {
  EXPECT_EQ(h_->Eval(R"(
    local a = http.request{ method = "POST", url = base .. "/echo", body = "payload",
                             ca_file = ca_file }
    local b = http.request{ method = "DELETE", url = base .. "/missing", ca_file = ca_file }
    return a.status .. " " .. a.body .. " | " .. b.status .. " " .. json.decode(b.body).error)"),
            "201 POST payload | 404 not found");
}

// Runs `n` GETs of /hello (with extra Lua header fields); prints the time per request.
void RunGets(testing::ModuleHarness* h, int n, const std::string& headers, const char* label) {
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(h->Eval("for i = 1, " + std::to_string(n) + R"( do
      local resp, err = http.request{ url = base .. "/hello", ca_file = ca_file,
                                      headers = { )" +
                    headers + R"( } }
      assert(resp and resp.status == 200, err)
    end
    return "ok")"),
            "ok");
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ measure  ] %s: %d requests, %.2f ms per request\n", label, n, ms / n);
}

TEST_F(HttpModuleTest, ConnectionIsReusedAcrossRequests) {
  RunGets(h_.get(), 20, "", "kept-alive HTTPS GET");
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(client_ports_.size(), 1u) << "twenty requests should share one TCP connection";
    client_ports_.clear();
  }
  // The same count sees every new connection when the client asks to close each one.
  RunGets(h_.get(), 20, "Connection = 'close'", "HTTPS GET with a new connection");
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_EQ(client_ports_.size(), 20u);
}

TEST_F(HttpModuleTest, TransportFailuresReturnNilAndAMessage) {
  // A port that was just free: nothing listens there.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  std::string url = "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/";
  EXPECT_THAT(h_->Eval("local r, err = http.request{ url = '" + url +
                       "' } return tostring(r) .. ' ' .. err"),
              HasSubstr("nil Failed to connect to 127.0.0.1"));
}

TEST_F(HttpModuleTest, TimeoutEndsTheRequest) {
  EXPECT_THAT(h_->Eval(R"(
    local r, err = http.request{ url = base .. "/slow", ca_file = ca_file, timeout = 0.3 }
    return tostring(r) .. " " .. err)"),
              HasSubstr("nil Operation timed out"));
}

TEST_F(HttpModuleTest, MisuseRaises) {
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = "ftp://127.0.0.1/" })"),
              HasSubstr("bad argument #1 to 'request' (url must start with https:// or http://)"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, headers = { A = "x\r\nB: y" } })"),
              HasSubstr("header A contains a line break"));
  EXPECT_THAT(h_->Eval(R"(return http.request("x"))"), HasSubstr("table expected, got string"));
  // Each misuse is reported in the same order whatever else the table holds.
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = "ftp://x/", method = 5, ca_file = 1 })"),
              HasSubstr("url must start with https:// or http://"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, timeout = "soon" })"),
              HasSubstr("timeout must be a positive number"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, timeout = 0 })"),
              HasSubstr("timeout must be a positive number"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, insecure = "yes" })"),
              HasSubstr("insecure must be a boolean"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, ca_file = 5 })"),
              HasSubstr("http.request: ca_file must be a string, got "));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, headers = json.array() })"),
              HasSubstr("headers must be a table of name = value"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, headers = { B = "x\n", A = "y\r" } })"),
              HasSubstr("header A contains a line break"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, headers = { A = true } })"),
              HasSubstr("header A must be a string"));
  EXPECT_THAT(h_->Eval(R"(return http.request{ url = base, body = function() end })"),
              HasSubstr("cannot convert a Lua function"));
}

// Numbers are sent as header text, and options the module does not know are ignored.
TEST_F(HttpModuleTest, NumberHeadersAndUnknownOptions) {
  EXPECT_EQ(h_->Eval(R"(
    local resp, err = http.request{ url = base .. "/hello", ca_file = ca_file,
                                     headers = { ["X-Name"] = 7 }, retries = 3 }
    assert(resp, err)
    return resp.body)"),
            "hello 7");
  EXPECT_EQ(h_->Eval(R"(
    local resp, err = http.request{ url = base .. "/echo", ca_file = ca_file, method = "post",
                                     body = "" }
    assert(resp, err)
    return resp.status .. " [" .. resp.body .. "]")"),
            "201 [POST ]");
}

}  // namespace
}  // namespace cairn::lua
