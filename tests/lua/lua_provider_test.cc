// LuaProvider: a plugin as a provider, through the pool of VMs.
#include "engine/lua/lua_provider.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/lua/plugin_loader.h"
#include "tests/support/test_support.h"

namespace cairn::lua {
namespace {

using provider::CallContext;

std::string PluginsDir() { return cairn::testing::SourceDir() + "/tests/testdata/plugins"; }

PluginInfo Info(const std::string& name) {
  PluginInfo info;
  info.name = name;
  info.dir = PluginsDir() + "/" + name;
  info.provider_file = info.dir + "/provider.lua";
  info.display_root = "plugins";
  return info;
}

class LuaProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.lib_dir = PluginsDir() + "/lib";
    options_.log_sink = [this](LogLevel level, const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mu_);
      log_.push_back(std::string(LogLevelName(level)) + " " + line);
    };
    Load();
  }

  void Load() {
    auto p = LuaProvider::Load(Info("echo"), options_);
    ASSERT_TRUE(p.ok()) << p.status().message();
    provider_ = std::move(*p);
  }

  Value Thing(const std::string& name, const std::string& action = "") {
    Value v = Value::EmptyMap();
    v["name"] = Value(name);
    if (!action.empty()) v["action"] = Value(action);
    return v;
  }

  CallContext Ctx(const std::string& name) {
    CallContext ctx;
    ctx.address = "echo.thing." + name;
    return ctx;
  }

  HostOptions options_;
  std::unique_ptr<LuaProvider> provider_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

TEST_F(LuaProviderTest, SchemaComesFromThePluginTable) {
  const auto& schema = provider_->Schema();
  EXPECT_EQ(schema.name, "echo");
  EXPECT_EQ(schema.version, "0.1.0");
  EXPECT_EQ(schema.source, "plugins/echo/provider.lua");
  EXPECT_TRUE(schema.has_expand);
  ASSERT_EQ(schema.resources.count("echo.thing"), 1u);
  const auto& thing = schema.resources.at("echo.thing");
  EXPECT_TRUE(thing.has_read_all);
  EXPECT_TRUE(thing.read_all_by_id_parent);
  EXPECT_TRUE(thing.has_plan);
  EXPECT_TRUE(thing.has_import);
  EXPECT_EQ(thing.timeout_seconds, 5);
  EXPECT_TRUE(thing.attributes.at("id").computed);
  EXPECT_EQ(thing.attributes.at("id").type, provider::AttrType::kString);
  EXPECT_TRUE(thing.attributes.at("name").required);
  EXPECT_TRUE(thing.attributes.at("name").force_new);
  EXPECT_EQ(thing.attributes.at("tags").default_value, Value::EmptyList());
  EXPECT_FALSE(schema.resources.at("echo.echo").has_plan);
  EXPECT_TRUE(schema.config.at("token").sensitive);
}

TEST_F(LuaProviderTest, CreateReturnsCheckedStateWithConfig) {
  ASSERT_TRUE(provider_->Configure(Value(Value::Map{{"greeting", Value("hi")}})).ok());
  Value planned = Thing("abc");
  planned["secret"] = Value("s3cret");
  auto r = provider_->Create(Ctx("abc"), "echo.thing", planned);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->Find("id")->AsString(), "thing-abc");
  EXPECT_EQ(*r->Find("size"), Value(6));
  EXPECT_EQ(*r->Find("greeting"), Value("hi"));
  EXPECT_TRUE(r->Find("secret")->sensitive);
}

TEST_F(LuaProviderTest, ConfigureChecksSettings) {
  Status s = provider_->Configure(Value(Value::Map{{"greting", Value("x")}}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("unknown setting 'greting'"), std::string::npos) << s.message();
  EXPECT_EQ(s.hint(), "did you mean 'greeting'?");
  s = provider_->Configure(Value(Value::Map{{"greeting", Value(3)}}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("providers.echo.greeting is number, expected string"),
            std::string::npos)
      << s.message();
  ASSERT_TRUE(provider_->Configure(Value()).ok());
  EXPECT_EQ(*provider_->config().Find("greeting"), Value("hello"));
}

TEST_F(LuaProviderTest, FailBecomesStatusWithHintAndRetryable) {
  auto r = provider_->Create(Ctx("a"), "echo.thing", Thing("a", "fail"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kRetryable);
  EXPECT_EQ(r.status().message(), "plugins/echo/provider.lua:92: the server said no");
  EXPECT_EQ(r.status().hint(), "try again later");
  r = provider_->Create(Ctx("a"), "echo.thing", Thing("a", "error"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kError);
  EXPECT_EQ(r.status().message(), "plugins/echo/provider.lua:94: plain failure");
}

TEST_F(LuaProviderTest, InconsistentResultsAreReportedAsSuch) {
  auto r = provider_->Create(Ctx("a"), "echo.thing", Thing("a", "wrong_type"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "provider 'echo' returned an inconsistent result for echo.thing.a: attribute 'size' "
            "is string, schema says number");
  r = provider_->Create(Ctx("a"), "echo.thing", Thing("a", "no_id"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("create returned no string 'id'"), std::string::npos);
  r = provider_->Create(Ctx("a"), "echo.thing", Thing("a", "extra"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("attribute 'colour' is not in the schema"),
            std::string::npos);
  r = provider_->Create(Ctx("a"), "echo.thing", Thing("a", "unknown"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'size' is still unknown after create"), std::string::npos);
}

TEST_F(LuaProviderTest, EndlessLoopIsStoppedAndTheProviderStillWorks) {
  options_.instruction_limit = 2'000'000;
  options_.max_vms = 1;
  Load();
  auto r = provider_->Create(Ctx("a"), "echo.thing", Thing("a", "loop"));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("instruction budget exceeded"), std::string::npos);
  r = provider_->Create(Ctx("b"), "echo.thing", Thing("b"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(provider_->vm_count(), 1u);
}

TEST_F(LuaProviderTest, LogLinesAreTaggedAndRedacted) {
  Value planned = Thing("a", "log_secret");
  planned["secret"] = Value("hunter22");
  auto r = provider_->Create(Ctx("a"), "echo.thing", planned);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_EQ(log_[0], "info [echo] echo.thing.a: the secret is (sensitive)");
  EXPECT_EQ(log_[1], "warn [echo] echo.thing.a: ctx says (sensitive)");
  planned["action"] = Value("leak_secret");
  r = provider_->Create(Ctx("a"), "echo.thing", planned);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("hunter22"), std::string::npos) << r.status().message();
}

TEST_F(LuaProviderTest, ReadReadAllPlanUpdateDeleteImport) {
  auto read = provider_->Read(Ctx("gone"), "echo.thing",
                              Value(Value::Map{{"id", Value("thing-gone")}, {"name", "gone"}}));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_FALSE(read->has_value());
  Value prior(Value::Map{{"id", Value("thing-x")}, {"name", Value("x")}});
  read = provider_->Read(Ctx("x"), "echo.thing", prior);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(**read, prior);

  Value gone(Value::Map{{"id", Value("thing-gone")}, {"name", "gone"}});
  auto all = provider_->ReadAll(CallContext(), "echo.thing", {prior, gone});
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->at("thing-x"), prior);

  // `true` keeps the recorded state as it is; for an id it was not given, it is a plugin bug.
  Value same(Value::Map{{"id", Value("thing-same")}, {"name", "same"}, {"size", Value(3)}});
  all = provider_->ReadAll(CallContext(), "echo.thing", {prior, same});
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ(all->at("thing-same"), same);
  Value liar(Value::Map{{"id", Value("thing-liar")}, {"name", "liar"}});
  all = provider_->ReadAll(CallContext(), "echo.thing", {liar});
  ASSERT_FALSE(all.ok());
  EXPECT_NE(all.status().message().find("returned true for 'thing-nobody'"), std::string::npos)
      << all.status().message();

  Value proposed = Thing("x");
  proposed["meta"]["ref"] = Value::Unknown("echo.thing.y.id");
  auto plan = provider_->Plan(Ctx("x"), "echo.thing", Value(), proposed);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->planned.Find("size")->is_unknown());
  EXPECT_TRUE(plan->planned.Find("meta")->Find("ref")->is_unknown());
  EXPECT_EQ(plan->requires_replace, std::vector<std::string>{"name"});

  auto updated = provider_->Update(Ctx("x"), "echo.thing", prior, Thing("x"));
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(updated->Find("id")->AsString(), "thing-x");
  EXPECT_TRUE(provider_->Delete(Ctx("x"), "echo.thing", prior).ok());
  auto imported = provider_->Import(Ctx("z"), "echo.thing", "thing-z");
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(*imported->Find("name"), Value("z"));

  auto wrong = provider_->Create(Ctx("x"), "echo.thnig", Thing("x"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().hint(), "did you mean 'echo.thing'?");
}

// read_all's states convert their maps and lists only when read; whatever the plugin does with a
// state (index it, iterate it, encode it, write to it, return it) sees every attribute.
TEST_F(LuaProviderTest, ReadAllStatesActLikePlainTables) {
  auto state = [](const std::string& name) {
    return Value(Value::Map{{"id", Value("thing-" + name)},
                            {"name", Value(name)},
                            {"meta", Value(Value::Map{{"k", Value("v")}})},
                            {"tags", Value(Value::List{Value("a"), Value("b")})}});
  };
  auto all = provider_->ReadAll(
      CallContext(), "echo.thing",
      {state("x"), state("pairs"), state("index"), state("encode"), state("write")});
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_EQ(all->at("thing-x"), state("x"));  // the state itself, returned
  EXPECT_EQ(all->at("thing-pairs"), state("pairs"));
  EXPECT_EQ(*all->at("thing-index").Find("meta"),
            Value(Value::Map{{"k", Value("v")}, {"n", Value(2)}}));
  EXPECT_EQ(*all->at("thing-encode").Find("meta")->Find("json"),
            Value(R"({"id":"thing-encode","meta":{"k":"v"},"name":"encode","tags":["a","b"]})"));
  Value written = state("write");
  written["meta"] = Value(Value::Map{{"k", Value("written")}});
  EXPECT_EQ(all->at("thing-write"), written);

  // A state kept past its read_all cannot be read for what was not converted during the call.
  all = provider_->ReadAll(CallContext(), "echo.thing", {state("stash")});
  ASSERT_TRUE(all.ok()) << all.status().message();
  all = provider_->ReadAll(CallContext(), "echo.thing", {state("late")});
  ASSERT_TRUE(all.ok()) << all.status().message();
  EXPECT_THAT(all->at("thing-late").Find("meta")->Find("err")->AsString(),
              ::testing::HasSubstr("false plugins/echo/provider.lua:78: a state given to "
                                   "read_all was read after read_all returned"));
}

TEST_F(LuaProviderTest, NestedValuesRoundTripAndCtxIsFilledIn) {
  Value value = Value::EmptyMap();
  value["list"] = Value(Value::List{Value(1), Value("two"), Value(Value::List{Value(3.5)})});
  value["map"]["deep"]["flag"] = Value(true);
  CallContext ctx;
  ctx.address = "echo.echo.e";
  ctx.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto r = provider_->Create(ctx, "echo.echo", Value(Value::Map{{"value", value}}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r->Find("value"), value);
  const Value& info = *r->Find("ctx_info");
  EXPECT_EQ(*info.Find("address"), Value("echo.echo.e"));
  EXPECT_EQ(*info.Find("type"), Value("echo.echo"));
  EXPECT_EQ(*info.Find("config_greeting"), Value("hello"));
  EXPECT_EQ(*info.Find("has_deadline"), Value(true));
}

TEST_F(LuaProviderTest, ExpandEmitsDesiredResources) {
  Value bp = Value::EmptyMap();
  bp["echoes"] = Value(Value::List{Value("a"), Value("b")});
  bp.loc = SourceLoc{1, 1, 1};
  auto r = provider_->Expand(bp);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].address, "echo.thing.a");
  EXPECT_EQ((*r)[0].type, "echo.thing");
  EXPECT_EQ((*r)[0].provider, "echo");
  EXPECT_EQ((*r)[0].origin, "expanded by echo");
  EXPECT_EQ((*r)[0].loc, bp.loc);
  EXPECT_EQ(*(*r)[1].attributes.Find("name"), Value("b"));
}

TEST_F(LuaProviderTest, ExpandSeesEveryTopLevelEntryThroughPairs) {
  // The blueprint reaches expand converted entry by entry as it is read; pairs sees them all.
  Value bp = Value::EmptyMap();
  bp["echoes"] = Value(Value::List{Value("a")});
  bp["echo_keys"] = Value(true);
  bp["resources"]["x"]["big"] = Value("unread");
  auto r = provider_->Expand(bp);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].address, "echo.thing.a");
  EXPECT_EQ((*r)[1].address, "echo.thing.k-echo_keys");
  EXPECT_EQ((*r)[2].address, "echo.thing.k-echoes");
  EXPECT_EQ((*r)[3].address, "echo.thing.k-resources");
  // Done twice on the same VM: nothing of the first call's table leaks into the second.
  bp.MutableMap().erase("echo_keys");
  r = provider_->Expand(bp);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->size(), 1u);
}

TEST_F(LuaProviderTest, PoolServesConcurrentCallsCorrectly) {
  options_.max_vms = 4;
  Load();
  constexpr int kThreads = 8, kPerThread = 125;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "n" + std::to_string(t) + "x" + std::to_string(i);
        auto r = provider_->Create(Ctx(name), "echo.thing", Thing(name));
        if (!r.ok() || r->Find("id")->AsString() != "thing-" + name ||
            r->Find("size")->AsInt() != static_cast<int64_t>(name.size() * 2))
          ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(provider_->vm_count(), 4u);
  EXPECT_GE(provider_->vm_count(), 1u);
}

TEST_F(LuaProviderTest, MeasureCreateRoundTrip) {
  // Prints the cost of one create through the host; 10,000 creates must stay far below 5 s.
  for (int threads : {1, 2}) {
    options_.max_vms = threads;
    Load();
    constexpr int kCalls = 10000;
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int i = t; i < kCalls; i += threads) {
          Value planned = Thing("n" + std::to_string(i));
          planned["tags"] = Value(Value::List{Value("a"), Value("b")});
          auto r = provider_->Create(Ctx("n"), "echo.thing", planned);
          ASSERT_TRUE(r.ok());
        }
      });
    }
    for (auto& w : workers) w.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("create round trip, %d thread(s): %.2f us/call, %d calls in %.3f s\n", threads,
                seconds * 1e6 / kCalls, kCalls, seconds);
    EXPECT_LT(seconds, 5.0);
  }
}

TEST(PluginLoaderTest, UnknownAttributeTypeIsRejectedWithFileAndLine) {
  HostOptions options;
  auto r = LoadPlugin(Info("badtype"), options);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "plugins/badtype/provider.lua:8: attribute 'weight' of badtype.box has unknown type "
            "'nubmer'");
  EXPECT_NE(r.status().hint().find("did you mean 'number'?"), std::string::npos);
}

TEST(PluginLoaderTest, UnknownAttributeFlagIsRejectedWithFileAndLine) {
  auto r = LoadPlugin(Info("badflag"), HostOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "plugins/badflag/provider.lua:7: attribute 'label' of badflag.box has unknown flag "
            "'requried'");
  EXPECT_EQ(r.status().hint(), "did you mean 'required'?");
}

TEST(PluginLoaderTest, ReadAllByTakesOnlyIdParent) {
  auto r = LoadPlugin(Info("badbatch"), HostOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "plugins/badbatch/provider.lua:9: resource 'box' (badbatch.box): read_all_by must be "
            "\"id_parent\"");
}

TEST(PluginLoaderTest, NameMustMatchTheFolder) {
  auto r = LoadPlugin(Info("misnamed"), HostOptions());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("plugin name 'other' does not match its folder 'misnamed'"),
            std::string::npos)
      << r.status().message();
}

TEST(PluginLoaderTest, DiscoveryLetsLaterDirsOverrideAndSkipsLib) {
  cairn::testing::TempDir a, b;
  cairn::testing::WriteFile(a.Join("one/provider.lua"), "return {}");
  cairn::testing::WriteFile(a.Join("two/provider.lua"), "return {}");
  cairn::testing::WriteFile(a.Join("lib/provider.lua"), "return {}");
  cairn::testing::WriteFile(a.Join("notes/readme.txt"), "");
  cairn::testing::WriteFile(b.Join("two/provider.lua"), "return {}");
  Diagnostics diags;
  auto found = DiscoverPlugins({a.path(), b.path(), a.Join("missing")}, &diags);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "one");
  EXPECT_EQ(found[1].name, "two");
  EXPECT_EQ(found[1].provider_file, b.Join("two/provider.lua"));
  EXPECT_EQ(found[1].display_root, BaseName(b.path()));
  EXPECT_EQ(diags.error_count(), 1u);
}

}  // namespace
}  // namespace cairn::lua
