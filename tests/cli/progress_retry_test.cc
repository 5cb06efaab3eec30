// End-to-end: a provider using lib.http against a local server that answers 503 with
// Retry-After is retried by apply (which says so in its progress), and a step that outlives its
// type's timeout fails with a clear message while its dependents are skipped.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#include <atomic>
#include <cstdio>
#include <ctime>
#include <memory>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

// A server on 127.0.0.1 whose /flaky answers 503 (with `retry_after` as the header) for the
// first `failures` requests, then 200.
class FlakyServer {
 public:
  FlakyServer(int failures, std::function<std::string()> retry_after) {
    server_.Get("/flaky",
                [this, failures, retry_after](const httplib::Request&, httplib::Response& res) {
                  if (++requests_ <= failures) {
                    res.status = 503;
                    res.set_header("Retry-After", retry_after());
                    res.set_content("upstream is restarting", "text/plain");
                    return;
                  }
                  res.set_content("ok", "text/plain");
                });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FlakyServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/flaky"; }
  int requests() const { return requests_.load(); }

 private:
  httplib::Server server_;
  std::atomic<int> requests_{0};
  int port_ = 0;
  std::thread thread_;
};

// A folder with the slow test plugin and `blueprint`.
void Prepare(const TempDir& dir, const std::string& blueprint) {
  WriteFile(dir.Join("plugins/slow/provider.lua"),
            ReadFile(SourceDir() + "/tests/testdata/plugins/slow/provider.lua"));
  WriteFile(dir.Join("blueprint.yaml"), blueprint);
}

CommandResult Apply(const TempDir& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {CairnBinary(), "apply", "--auto-approve", "--plugin-dir",
                                   "plugins"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunCommand(argv, dir.path(), {"NO_COLOR=1"});
}

// The delay in "retrying in 2.3s (attempt 2/6)".
double RetryDelay(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("retrying in ([0-9.]+)s \\(attempt 2/6\\)"))) return -1;
  return std::stod(m[1]);
}

TEST(ProgressRetryTest, ServiceUnavailableIsRetriedAfterRetryAfterSeconds) {
  FlakyServer server(1, [] { return "1"; });
  TempDir dir;
  Prepare(dir, "resources:\n  slow.thing.a:\n    url: " + server.url() + "\n");
  CommandResult r = Apply(dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.requests(), 2);
  EXPECT_NE(r.out.find("slow.thing.a: retrying in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GET " + server.url() + " answered 503: upstream is restarting"),
            std::string::npos)
      << r.out;
  EXPECT_GE(RetryDelay(r.out), 1.0) << r.out;
  EXPECT_NE(r.out.find("slow.thing.a: Creation complete"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Succeeded: 1 created (after 1 retry)"), std::string::npos) << r.out;
}

TEST(ProgressRetryTest, RetryAfterMayBeAnHttpDate) {
  FlakyServer server(1, [] {
    std::time_t at = std::time(nullptr) + 3;
    char buf[64];
    std::tm tm;
    gmtime_r(&at, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf);
  });
  TempDir dir;
  Prepare(dir, "resources:\n  slow.thing.a:\n    url: " + server.url() + "\n");
  CommandResult r = Apply(dir);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(server.requests(), 2);
  // Three seconds ahead, less the second boundaries the two clocks may straddle.
  EXPECT_GE(RetryDelay(r.out), 1.0) << r.out;
}

TEST(ProgressRetryTest, GivesUpAfterMaxRetries) {
  FlakyServer server(100, [] { return "0"; });
  TempDir dir;
  Prepare(dir, "resources:\n  slow.thing.a:\n    url: " + server.url() + "\n");
  CommandResult r = Apply(dir, {"--max-retries", "0"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(server.requests(), 1);
  EXPECT_NE(r.out.find("Failed (1):\n  slow.thing.a (create): create: "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("hint: the service is busy or restarting"), std::string::npos) << r.out;
}

TEST(ProgressRetryTest, StepPastItsTimeoutFailsAndItsDependentsAreSkipped) {
  TempDir dir;
  Prepare(dir,
          "resources:\n"
          "  slow.bounded.b:\n"
          "    seconds: 60\n"
          "  slow.thing.c:\n"
          "    note: ${slow.bounded.b.id}\n"
          "  slow.thing.d:\n"
          "    note: independent\n");
  CommandResult r = Apply(dir);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("slow.bounded.b: Failed after"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  slow.bounded.b (create): create: timed out after 1s\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  slow.thing.c (create): needs slow.bounded.b\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Succeeded: 1 created"), std::string::npos) << r.out;
}

TEST(ProgressRetryTest, TimeoutFlagMustBeADuration) {
  TempDir dir;
  Prepare(dir, "resources:\n  slow.thing.a:\n    note: x\n");
  CommandResult r = Apply(dir, {"--timeout", "ten minutes"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("expected a duration like 30s, 10m or 1h"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cairn::testing
