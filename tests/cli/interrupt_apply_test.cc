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
#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

// A running cairn whose output is collected as it comes, so the test can act at the right moment.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& cwd) {
    int out[2], err[2];
    if (pipe(out) != 0 || pipe(err) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      dup2(err[1], 2);
      close(out[0]);
      close(err[0]);
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
      if (chdir(cwd.c_str()) != 0) _exit(127);
      setenv("NO_COLOR", "1", 1);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }
  ~Child() {
    if (pid_ > 0 && exit_code_ < 0) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (out_fd_ >= 0) close(out_fd_);
    if (err_fd_ >= 0) close(err_fd_);
  }

  // Reads output until `text` appears on stdout or stderr; false after `limit` or at exit.
  bool WaitFor(const std::string& text, std::chrono::seconds limit = std::chrono::seconds(60)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (out_.find(text) == std::string::npos && err_.find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > end || !ReadSome(100)) return false;
    }
    return true;
  }

  void Interrupt() { kill(pid_, SIGINT); }

  // Collects the rest of the output and the exit code.
  int Wait() {
    while (ReadSome(100)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  // False once both pipes are closed.
  bool ReadSome(int ms) {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    int open_fds = (out_fd_ >= 0) + (err_fd_ >= 0);
    if (open_fds == 0) return false;
    if (poll(fds, 2, ms) <= 0) return true;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? out_ : err_).append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        (i == 0 ? out_fd_ : err_fd_) = -1;
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1, err_fd_ = -1;
  int exit_code_ = -1;
  std::string out_, err_;
};

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
