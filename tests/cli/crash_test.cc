// End-to-end: an apply killed (kill -9) or interrupted (Ctrl-C) at a random moment leaves a state
// that parses and a plan that shows exactly the remaining work.
#include <chrono>
#include <random>
#include <regex>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/state/local_backend.h"
#include "tests/support/test_support.h"

namespace cairn::testing {
namespace {

constexpr int kResources = 200;

// 200 files in 10 layers: file i depends on file i-20, so apply has real ordering to respect.
std::string ManyFilesBlueprint() {
  std::string bp = "providers:\n  local:\n    output_dir: out\nresources:\n";
  for (int i = 0; i < kResources; ++i) {
    bp += "  local.file.f" + std::to_string(i) + ":\n";
    bp += "    path: f" + std::to_string(i) + ".txt\n";
    bp += "    content: \"file " + std::to_string(i) + "\\n\"\n";
    if (i >= 20) bp += "    depends_on: [local.file.f" + std::to_string(i - 20) + "]\n";
  }
  return bp;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& cwd) {
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    if (chdir(cwd.c_str()) != 0) _exit(127);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

double TimeFullApply() {
  TempDir dir;
  WriteFile(dir.Join("blueprint.yaml"), ManyFilesBlueprint());
  auto start = std::chrono::steady_clock::now();
  CommandResult r =
      RunCommand({CairnBinary(), "apply", "--auto-approve"}, dir.path(), {"NO_COLOR=1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs apply, sends `sig` after a random delay, and returns the exit status.
int ApplyAndSignal(const TempDir& dir, int sig, double max_delay, std::mt19937* rng) {
  std::uniform_real_distribution<double> pick(0.1 * max_delay, 0.9 * max_delay);
  double delay = pick(*rng);
  pid_t pid = Spawn({CairnBinary(), "apply", "--auto-approve", "--parallelism", "4"}, dir.path());
  std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  kill(pid, sig);
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// The plan's "N to add" after an interrupted apply.
int PlannedAdds(const TempDir& dir, std::string* out) {
  CommandResult plan = RunCommand({CairnBinary(), "plan"}, dir.path(), {"NO_COLOR=1"});
  *out = plan.out + plan.err;
  EXPECT_EQ(plan.exit_code, 0) << *out;
  if (plan.out.find("No changes.") != std::string::npos) return 0;
  std::smatch m;
  std::regex summary("Plan: ([0-9]+) to add, 0 to change, 0 to destroy\\.");
  if (!std::regex_search(plan.out, m, summary)) {
    ADD_FAILURE() << "plan did not show only additions:\n" << *out;
    return -1;
  }
  return std::stoi(m[1]);
}

void ExpectStateMatchesDisk(const TempDir& dir, size_t* recorded) {
  state::LocalBackend backend(dir.Join(".cairn"));
  Result<state::State> st = backend.Load();
  ASSERT_TRUE(st.ok()) << st.status().message();
  *recorded = st->resources.size();
  for (const auto& [address, r] : st->resources) {
    std::string name = address.substr(std::string("local.file.").size());
    EXPECT_EQ(ReadFile(dir.Join("out/" + name + ".txt")), "file " + name.substr(1) + "\n")
        << address << " is in state but its file is not right";
  }
}

TEST(CrashTest, KillNineMidApplyLeavesStateThatPlanRepairs) {
  double full = TimeFullApply();
  std::mt19937 rng(std::random_device{}());
  bool interrupted_mid_way = false;
  for (int attempt = 0; attempt < 5 && !interrupted_mid_way; ++attempt) {
    TempDir dir;
    WriteFile(dir.Join("blueprint.yaml"), ManyFilesBlueprint());
    int status = ApplyAndSignal(dir, SIGKILL, full, &rng);
    size_t recorded = 0;
    ExpectStateMatchesDisk(dir, &recorded);
    std::string plan_out;
    int adds = PlannedAdds(dir, &plan_out);
    EXPECT_EQ(static_cast<int>(recorded) + adds, kResources)
        << "state holds " << recorded << ", plan adds " << adds << "\n"
        << plan_out;
    interrupted_mid_way = WIFSIGNALED(status) && recorded > 0 && recorded < kResources;
    // The next apply finishes the job.
    CommandResult apply =
        RunCommand({CairnBinary(), "apply", "--auto-approve"}, dir.path(), {"NO_COLOR=1"});
    EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
    EXPECT_EQ(PlannedAdds(dir, &plan_out), 0) << plan_out;
  }
  EXPECT_TRUE(interrupted_mid_way)
      << "no attempt killed apply part-way (full apply took " << full << " s)";
}

TEST(CrashTest, CtrlCFinishesInFlightStepsAndSavesState) {
  double full = TimeFullApply();
  std::mt19937 rng(std::random_device{}());
  bool stopped_mid_way = false;
  for (int attempt = 0; attempt < 5 && !stopped_mid_way; ++attempt) {
    TempDir dir;
    WriteFile(dir.Join("blueprint.yaml"), ManyFilesBlueprint());
    int status = ApplyAndSignal(dir, SIGINT, full, &rng);
    if (!WIFEXITED(status)) continue;  // the signal came before cairn could catch it
    size_t recorded = 0;
    ExpectStateMatchesDisk(dir, &recorded);
    if (WEXITSTATUS(status) == 0) continue;  // finished before the signal landed
    EXPECT_EQ(WEXITSTATUS(status), 130);
    std::string plan_out;
    int adds = PlannedAdds(dir, &plan_out);
    EXPECT_EQ(static_cast<int>(recorded) + adds, kResources) << plan_out;
    stopped_mid_way = recorded < kResources;
  }
  EXPECT_TRUE(stopped_mid_way) << "no attempt interrupted apply part-way";
}

}  // namespace
}  // namespace cairn::testing
