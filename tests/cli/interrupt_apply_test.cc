// End-to-end Ctrl-C during apply, through the real binary and the slow test plugin: once lets the
// steps in flight finish and starts nothing new; twice cancels the calls in flight (a busy Lua
// loop through the instruction hook, an HTTP request through curl's progress callback). State is
// saved and the exit code is 130 either way.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/state/local_backend.h"
#include "tests/support/child_process.h"
#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

class InterruptTest : public ::testing::Test {
 protected:
  std::unique_ptr<Child> StartApply(const std::string& blueprint) {
    WriteFile(dir_.Join("plugins/slow/provider.lua"),
              ReadFile(SourceDir() + "/tests/testdata/plugins/slow/provider.lua"));
    WriteFile(dir_.Join("blueprint.yaml"), blueprint);
    return std::make_unique<Child>(
        std::vector<std::string>{CairnBinary(), "apply", "--auto-approve", "--plugin-dir",
                                 "plugins", "--parallelism", "1"},
        dir_.path());
  }

  state::State SavedState() {
    state::LocalBackend backend(dir_.Join(".cairn"));
    Result<state::State> s = backend.Load();
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : state::State();
  }

  TempDir dir_;
};

TEST_F(InterruptTest, OnceFinishesTheStepInFlightAndStartsNothingNew) {
  auto child = StartApply(
      "resources:\n"
      "  slow.thing.a:\n"
      "    seconds: 1.5\n"
      "  slow.thing.b:\n"
      "    note: ${slow.thing.a.id}\n");
  ASSERT_TRUE(child->WaitFor("slow.thing.a: Creating...")) << child->out() << child->err();
  child->Interrupt();
  EXPECT_EQ(child->Wait(), 130) << child->out() << child->err();
  EXPECT_NE(child->err().find("Interrupt received: finishing the steps in progress"),
            std::string::npos)
      << child->err();
  EXPECT_NE(child->out().find("slow.thing.a: Creation complete"), std::string::npos)
      << child->out();
  EXPECT_EQ(child->out().find("slow.thing.b: Creating"), std::string::npos) << child->out();
  EXPECT_NE(child->out().find("Interrupted. Resources: 1 added"), std::string::npos)
      << child->out();
  EXPECT_NE(child->out().find("Not started, because of the interrupt (1):\n  slow.thing.b "
                              "(create)\n"),
            std::string::npos)
      << child->out();
  state::State s = SavedState();
  EXPECT_EQ(s.resources.count("slow.thing.a"), 1u);
  EXPECT_EQ(s.resources.count("slow.thing.b"), 0u);
}

TEST_F(InterruptTest, TwiceCancelsABusyProviderCall) {
  auto child = StartApply(
      "resources:\n"
      "  slow.thing.done:\n"
      "    note: first\n"
      "  slow.thing.busy:\n"
      "    seconds: 600\n"
      "    note: ${slow.thing.done.id}\n");
  ASSERT_TRUE(child->WaitFor("slow.thing.busy: Creating...")) << child->out() << child->err();
  child->Interrupt();
  // Signals do not queue: wait until the first was handled before sending the second.
  ASSERT_TRUE(child->WaitFor("Interrupt received")) << child->err();
  child->Interrupt();
  EXPECT_EQ(child->Wait(), 130) << child->out() << child->err();
  EXPECT_NE(child->err().find("Two interrupts received"), std::string::npos) << child->err();
  EXPECT_NE(child->out().find("  slow.thing.busy (create): create: interrupted before it "
                              "finished\n"),
            std::string::npos)
      << child->out();
  state::State s = SavedState();
  EXPECT_EQ(s.resources.count("slow.thing.done"), 1u);
  EXPECT_EQ(s.resources.count("slow.thing.busy"), 0u);
}

TEST_F(InterruptTest, TwiceAbortsAnHttpRequestInFlight) {
  // The server holds the request until the test lets it go: only a cancelled transfer ends sooner.
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<bool> received{false};
  std::atomic<bool> answered{false};
  httplib::Server server;
  server.Get("/hang", [&](const httplib::Request&, httplib::Response& res) {
    received = true;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait_for(lock, std::chrono::seconds(120), [&] { return release; });
    answered = true;
    res.set_content("late", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread t([&] { server.listen_after_bind(); });

  auto child = StartApply("resources:\n  slow.thing.call:\n    url: http://127.0.0.1:" +
                          std::to_string(port) + "/hang\n");
  ASSERT_TRUE(child->WaitFor("slow.thing.call: Creating...")) << child->out() << child->err();
  for (int i = 0; i < 600 && !received; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(received.load());
  child->Interrupt();
  ASSERT_TRUE(child->WaitFor("Interrupt received")) << child->err();
  child->Interrupt();
  int code = child->Wait();
  bool answered_before_exit = answered.load();
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  server.stop();
  t.join();

  EXPECT_EQ(code, 130) << child->out() << child->err();
  EXPECT_FALSE(answered_before_exit) << "apply waited for the response instead of cancelling";
  EXPECT_NE(child->out().find("slow.thing.call (create): create: interrupted before it finished"),
            std::string::npos)
      << child->out();
  EXPECT_TRUE(FileExists(dir_.Join(".cairn/state.json"))) << "state saved";
}

}  // namespace
}  // namespace cairn::testing
