// cairn.fail's options reach the engine: retryable, retry_after and the attribute path; and
// ctx.blueprint shows plans the blueprint given through SetBlueprint.
#include <gtest/gtest.h>

#include "engine/lua/lua_provider.h"
#include "engine/lua/plugin_loader.h"
#include "tests/support/test_support.h"

namespace cairn::lua {
namespace {

std::unique_ptr<LuaProvider> LoadStrict() {
  PluginInfo info;
  info.name = "strict";
  info.dir = cairn::testing::SourceDir() + "/tests/testdata/cli_plugins/strict";
  info.provider_file = info.dir + "/provider.lua";
  info.display_root = "plugins";
  HostOptions options;
  auto p = LuaProvider::Load(info, options);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(*p) : nullptr;
}

Value Spec(Value spec) {
  Value v = Value::EmptyMap();
  v["spec"] = std::move(spec);
  return v;
}

TEST(FailOptionsTest, RetryAfterAndPathReachTheStatus) {
  auto p = LoadStrict();
  ASSERT_NE(p, nullptr);
  Value spec = Value::EmptyMap();
  spec["busy"] = true;
  provider::CallContext ctx;
  ctx.address = "strict.thing.a";
  Result<Value> r = p->Create(ctx, "strict.thing", Spec(spec));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kRetryable);
  EXPECT_EQ(r.status().retry_after(), 7);
  EXPECT_EQ(r.status().path(), "spec.busy");
  EXPECT_NE(r.status().message().find("provider.lua:"), std::string::npos) << r.status().message();
}

TEST(FailOptionsTest, PlanSeesTheBlueprintOnlyOnceGiven) {
  auto p = LoadStrict();
  ASSERT_NE(p, nullptr);
  Value spec = Value::EmptyMap();
  spec["cluster"] = "home";
  provider::CallContext ctx;
  ctx.address = "strict.thing.a";
  Result<provider::PlannedChange> before = p->Plan(ctx, "strict.thing", Value(), Spec(spec));
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.status().message().find("cluster 'nil'"), std::string::npos)
      << before.status().message();

  Value bp = Value::EmptyMap();
  bp["cluster"]["name"] = "home";
  p->SetBlueprint(std::make_shared<const Value>(bp));
  Result<provider::PlannedChange> after = p->Plan(ctx, "strict.thing", Value(), Spec(spec));
  EXPECT_TRUE(after.ok()) << after.status().message();
  after = p->Plan(ctx, "strict.thing", Value(), Spec(spec));
  EXPECT_TRUE(after.ok()) << "the converted blueprint is kept: " << after.status().message();

  // A later blueprint replaces the one the VM converted already.
  bp["cluster"]["name"] = "lab";
  p->SetBlueprint(std::make_shared<const Value>(bp));
  Result<provider::PlannedChange> changed = p->Plan(ctx, "strict.thing", Value(), Spec(spec));
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find("cluster 'lab'"), std::string::npos)
      << changed.status().message();
}

}  // namespace
}  // namespace cairn::lua
