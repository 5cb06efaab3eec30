// The cairn binary on the etcd backend, against real etcd: racing applies, a killed holder of
// the lock, a member or the leader of a three-member cluster killed during an apply, migrating
// there and back, and encrypted state with a wrong key and a rekey.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "engine/base/json.h"
#include "engine/state/local_backend.h"
#include "tests/etcd/etcd_fixture.h"
#include "tests/support/child_process.h"

namespace cairn::testing {
namespace {

std::string Canonical(const state::State& s) { return DumpJson(state::StateToValue(s)); }

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

// An HTTP server whose /gate requests wait until the test opens the gate: the slow test
// plugin's create fetches it, so an apply stays in the middle of a step as long as needed.
class Gate {
 public:
  Gate() {
    server_.Get("/gate", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::seconds(120), [&] { return open_; });
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Gate() {
    Open();
    server_.stop();
    thread_.join();
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/gate"; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class EtcdCliTest : public EtcdTest {
 protected:
  void SetUp() override {
    EtcdTest::SetUp();
    WriteFile(dir_.Join("plugins/slow/provider.lua"),
              ReadFile(SourceDir() + "/tests/testdata/plugins/slow/provider.lua"));
  }

  // Resource a is quick; b waits at the gate.
  void UseGatedBlueprint(const std::string& note = "one") {
    WriteFile(dir_.Join("blueprint.yaml"),
              "resources:\n"
              "  slow.thing.a:\n"
              "    note: " +
                  note +
                  "\n"
                  "  slow.thing.b:\n"
                  "    url: " +
                  gate_.url() +
                  "\n"
                  "    note: ${slow.thing.a.id}\n");
  }

  std::vector<std::string> Args(const std::vector<std::string>& endpoints, int ttl,
                                std::vector<std::string> rest) {
    std::vector<std::string> argv = {CairnBinary(),     "--plugin-dir",    "plugins",
                                     "--etcd-endpoint", Join(endpoints),   "--etcd-prefix",
                                     prefix_,           "--etcd-lock-ttl", std::to_string(ttl)};
    argv.insert(argv.end(), rest.begin(), rest.end());
    return argv;
  }
  std::unique_ptr<Child> StartApply(const std::vector<std::string>& endpoints, int ttl) {
    return std::make_unique<Child>(Args(endpoints, ttl, {"apply", "--auto-approve"}), dir_.path());
  }
  CommandResult Cairn(std::vector<std::string> rest, std::vector<std::string> env = {}) {
    env.push_back("NO_COLOR=1");
    return RunCommand(Args(cluster_->endpoints(), 5, std::move(rest)), dir_.path(), env);
  }

  state::State EtcdState(const std::vector<std::string>& endpoints) {
    state::EtcdOptions o = Options();
    o.endpoints = endpoints;
    Result<state::State> s = state::EtcdBackend(o).Load();
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : state::State();
  }
  bool LockKeyExists(const std::vector<std::string>& endpoints) {
    state::EtcdOptions o = Options();
    o.endpoints = endpoints;
    Result<state::EtcdRange> r = state::EtcdClient(o).Range(prefix_ + "lock");
    return r.ok() && !r->kvs.empty();
  }

  TempDir dir_;
  Gate gate_;
};

TEST_F(EtcdCliTest, OfTwoRacingAppliesExactlyOneAppliesAndTheOtherNamesTheHolder) {
  UseGatedBlueprint();
  auto first = StartApply(cluster_->endpoints(), 5);
  auto second = StartApply(cluster_->endpoints(), 5);
  // The loser ends at the lock while the winner waits at the gate.
  Child* winner = nullptr;
  Child* loser = nullptr;
  for (int i = 0; i < 120 && winner == nullptr; ++i) {
    if (first->WaitFor("slow.thing.b: Creating...", std::chrono::seconds(1))) {
      winner = first.get(), loser = second.get();
    } else if (second->WaitFor("slow.thing.b: Creating...", std::chrono::seconds(1))) {
      winner = second.get(), loser = first.get();
    }
  }
  ASSERT_NE(winner, nullptr) << first->err() << second->err();
  EXPECT_EQ(loser->Wait(), 1) << loser->out() << loser->err();
  EXPECT_NE(loser->err().find("state is locked by"), std::string::npos) << loser->err();
  EXPECT_NE(loser->err().find("(pid " + std::to_string(winner->pid()) + ")"), std::string::npos)
      << loser->err();
  gate_.Open();
  EXPECT_EQ(winner->Wait(), 0) << winner->out() << winner->err();
  state::State s = EtcdState(cluster_->endpoints());
  EXPECT_EQ(s.resources.size(), 2u);
  EXPECT_EQ(s.serial, 1u);
  EXPECT_FALSE(LockKeyExists(cluster_->endpoints()));
}

TEST_F(EtcdCliTest, AKilledHolderLeavesALockThatExpiresAndTheNextRunProceeds) {
  UseGatedBlueprint();
  auto crashed = StartApply(cluster_->endpoints(), 2);
  ASSERT_TRUE(crashed->WaitFor("slow.thing.b: Creating...")) << crashed->err();
  crashed->Kill();
  crashed->Wait();
  // The lease is no longer kept alive, so the lock goes within its TTL.
  bool gone = false;
  for (int i = 0; i < 300 && !(gone = !LockKeyExists(cluster_->endpoints())); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_TRUE(gone) << "the lock of a killed cairn did not expire";

  gate_.Open();
  CommandResult next = Cairn({"apply", "--auto-approve"});
  EXPECT_EQ(next.exit_code, 0) << next.out << next.err;
  // What the killed run had finished was journaled in etcd and is not done twice.
  EXPECT_NE(next.err.find("recovered 1 change(s)"), std::string::npos) << next.err;
  EXPECT_EQ(next.out.find("slow.thing.a: Creating"), std::string::npos) << next.out;
  EXPECT_EQ(EtcdState(cluster_->endpoints()).resources.size(), 2u);
}

TEST_F(EtcdCliTest, MigrateToEtcdAndBackKeepsTheContentIdentical) {
  UseGatedBlueprint();
  gate_.Open();
  CommandResult local =
      RunCommand({CairnBinary(), "--plugin-dir", "plugins", "apply", "--auto-approve"}, dir_.path(),
                 {"NO_COLOR=1"});
  ASSERT_EQ(local.exit_code, 0) << local.out << local.err;
  state::LocalBackend disk(dir_.Join(".cairn"));
  state::State before = *disk.Load();

  CommandResult there =
      RunCommand({CairnBinary(), "state", "migrate", "--to", "etcd", "--to-etcd-endpoint",
                  Join(cluster_->endpoints()), "--to-etcd-prefix", prefix_},
                 dir_.path(), {"NO_COLOR=1"});
  ASSERT_EQ(there.exit_code, 0) << there.out << there.err;
  EXPECT_EQ(Canonical(EtcdState(cluster_->endpoints())), Canonical(before));

  // Work on etcd, then bring the newer state back.
  UseGatedBlueprint("two");
  CommandResult change = Cairn({"apply", "--auto-approve"});
  ASSERT_EQ(change.exit_code, 0) << change.out << change.err;
  state::State on_etcd = EtcdState(cluster_->endpoints());
  EXPECT_EQ(on_etcd.serial, before.serial + 1);
  CommandResult back = Cairn({"state", "migrate", "--to", "local"});
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  state::LocalBackend reread(dir_.Join(".cairn"));
  EXPECT_EQ(Canonical(*reread.Load()), Canonical(on_etcd));

  // Migrating onto a newer or foreign state is refused.
  CommandResult again =
      RunCommand({CairnBinary(), "state", "migrate", "--to", "etcd", "--to-etcd-endpoint",
                  Join(cluster_->endpoints()), "--to-etcd-prefix", prefix_},
                 dir_.path(), {"NO_COLOR=1"});
  EXPECT_EQ(again.exit_code, 0) << again.err;  // identical: nothing to copy
  EXPECT_NE(again.out.find("already holds this state"), std::string::npos) << again.out;
}

TEST_F(EtcdCliTest, EncryptedStateNeedsTheRightKeyAndRekeyReplacesIt) {
  UseGatedBlueprint();
  gate_.Open();
  CommandResult apply =
      Cairn({"--state-key-env", "K1", "apply", "--auto-approve"}, {"K1=first passphrase"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  state::EtcdOptions o = Options();
  Result<state::EtcdRange> raw = state::EtcdClient(o).Range(prefix_, state::EtcdPrefixEnd(prefix_));
  ASSERT_TRUE(raw.ok());
  for (const state::EtcdKv& kv : raw->kvs)
    EXPECT_EQ(kv.value.find("slow.thing.a"), std::string::npos) << kv.key;

  CommandResult wrong =
      Cairn({"--state-key-env", "K1", "state", "rm", "slow.thing.a"}, {"K1=not it"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("wrong key"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find("first passphrase"), std::string::npos);  // never printed
  CommandResult none = Cairn({"state", "list"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("no state key is configured"), std::string::npos) << none.err;

  CommandResult rekey = Cairn(
      {"--state-key-env", "K1", "state", "rekey", "--new-key-env", "K2", "--new-kdf", "pbkdf2"},
      {"K1=first passphrase", "K2=second passphrase"});
  ASSERT_EQ(rekey.exit_code, 0) << rekey.out << rekey.err;
  CommandResult with_new =
      Cairn({"--state-key-env", "K2", "--state-kdf", "pbkdf2", "state", "list"},
            {"K2=second passphrase"});
  EXPECT_EQ(with_new.exit_code, 0) << with_new.err;
  EXPECT_NE(with_new.out.find("slow.thing.a"), std::string::npos);
  CommandResult with_old =
      Cairn({"--state-key-env", "K1", "state", "list"}, {"K1=first passphrase"});
  EXPECT_EQ(with_old.exit_code, 1);
}

TEST_F(EtcdCliTest, TheBlueprintsStateSectionSelectsEtcdAndTheKey) {
  std::string endpoints;
  for (const std::string& e : cluster_->endpoints())
    endpoints += (endpoints.empty() ? "" : ", ") + e;
  WriteFile(dir_.Join("blueprint.yaml"),
            "secrets:\n"
            "  state_key: env:SK\n"
            "state:\n"
            "  backend: etcd\n"
            "  endpoints: [" +
                endpoints +
                "]\n"
                "  prefix: " +
                prefix_ +
                "\n"
                "  lock_ttl: 5\n"
                "  encryption: { key: state_key, kdf: pbkdf2 }\n"
                "resources:\n"
                "  slow.thing.a:\n"
                "    note: kept in etcd\n");
  std::vector<std::string> env = {"NO_COLOR=1", "SK=blueprint passphrase"};
  CommandResult valid =
      RunCommand({CairnBinary(), "--plugin-dir", "plugins", "validate"}, dir_.path(), env);
  EXPECT_EQ(valid.exit_code, 0) << valid.out << valid.err;
  CommandResult apply = RunCommand(
      {CairnBinary(), "--plugin-dir", "plugins", "apply", "--auto-approve"}, dir_.path(), env);
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_FALSE(FileExists(dir_.Join(".cairn/state.json")));
  Result<state::EtcdRange> raw = state::EtcdClient(Options()).Range(
      prefix_ + "snap/", state::EtcdPrefixEnd(prefix_ + "snap/"));
  ASSERT_TRUE(raw.ok());
  ASSERT_FALSE(raw->kvs.empty());
  EXPECT_TRUE(state::StateCipher::IsSealed(raw->kvs[0].value));
  CommandResult list = RunCommand({CairnBinary(), "state", "list"}, dir_.path(), env);
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "slow.thing.a\n");
  CommandResult unset = RunCommand({CairnBinary(), "state", "list"}, dir_.path(), {"NO_COLOR=1"});
  EXPECT_EQ(unset.exit_code, 1);
  EXPECT_NE(unset.err.find("blueprint.yaml:2:"), std::string::npos)
      << unset.err;  // where SK is named
}

// A fresh three-member cluster for every test, since the tests kill members.
class EtcdThreeMemberTest : public EtcdCliTest {
 protected:
  static void SetUpTestSuite() { start_error_ = new std::string(); }
  void SetUp() override {
    delete cluster_;
    cluster_ = new EtcdCluster(3);
    *start_error_ = cluster_->Start();
    EtcdCliTest::SetUp();
  }
  std::vector<std::string> AllBut(int i) {
    std::vector<std::string> out = cluster_->endpoints();
    out.erase(out.begin() + i);
    return out;
  }
};

TEST_F(EtcdThreeMemberTest, AnApplyCompletesWhenTheMemberItTalksToIsKilled) {
  UseGatedBlueprint();
  auto apply = StartApply(cluster_->endpoints(), 5);
  ASSERT_TRUE(apply->WaitFor("slow.thing.b: Creating...")) << apply->err();
  cluster_->Kill(0);  // cairn starts with the first endpoint
  gate_.Open();
  EXPECT_EQ(apply->Wait(), 0) << apply->out() << apply->err();
  state::State s = EtcdState(AllBut(0));
  EXPECT_EQ(s.resources.size(), 2u);
  EXPECT_EQ(s.serial, 1u);
  EXPECT_FALSE(LockKeyExists(AllBut(0)));
}

TEST_F(EtcdThreeMemberTest, TheLockSurvivesTheLeadersDeathWhileItsHolderRuns) {
  UseGatedBlueprint();
  const int ttl = 3;
  auto apply = StartApply(cluster_->endpoints(), ttl);
  ASSERT_TRUE(apply->WaitFor("slow.thing.b: Creating...")) << apply->err();
  int leader = cluster_->Leader();
  ASSERT_GE(leader, 0);
  cluster_->Kill(leader);

  // For well over the TTL nobody else gets the lock: cairn keeps its lease alive through the
  // election of a new leader.
  state::EtcdOptions o = Options();
  o.endpoints = AllBut(leader);
  o.lock_ttl_seconds = ttl;
  state::EtcdBackend other(o);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3 * ttl);
  while (std::chrono::steady_clock::now() < until) {
    Result<state::LockInfo> taken = other.Lock("plan");
    ASSERT_FALSE(taken.ok()) << "the lock was free while its holder ran";
    EXPECT_EQ(taken.status().code(), Status::Code::kLocked) << taken.status().message();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  gate_.Open();
  EXPECT_EQ(apply->Wait(), 0) << apply->out() << apply->err();
  EXPECT_EQ(EtcdState(AllBut(leader)).resources.size(), 2u);
  Result<state::LockInfo> after = other.Lock("plan");
  EXPECT_TRUE(after.ok()) << after.status().message();
}

}  // namespace
}  // namespace cairn::testing
