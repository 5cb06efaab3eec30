// The sandbox and VM limits: what a plugin cannot do, and how its errors come back.
#include "engine/lua/sandbox.h"

#include <chrono>

#include <gtest/gtest.h>

#include "engine/lua/convert.h"
#include "engine/lua/vm.h"
#include "tests/support/test_support.h"

namespace cairn::lua {
namespace {

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override { Make(VmOptions()); }

  void Make(const VmOptions& options) {
    vm_ = Vm::Create(options);
    ASSERT_NE(vm_, nullptr);
    std::string plugins = cairn::testing::SourceDir() + "/tests/testdata/plugins";
    SandboxOptions so{plugins + "/echo", "plugins/echo", plugins + "/lib", "plugins/lib"};
    Status s = InstallSandbox(vm_.get(), so);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // Runs `code` as plugins/echo/test.lua; returns its first result or the error.
  Status Run(const std::string& code, Value* result = nullptr) {
    Status s = LoadChunk(vm_.get(), code, "@plugins/echo/test.lua");
    if (!s.ok()) return s;
    s = vm_->Call(0, 1);
    if (!s.ok()) return s;
    Value v;
    std::string err;
    EXPECT_TRUE(ToValue(vm_->L(), -1, &v, &err)) << err;
    lua_pop(vm_->L(), 1);
    if (result != nullptr) *result = v;
    return s;
  }

  Value Eval(const std::string& code) {
    Value v;
    Status s = Run(code, &v);
    EXPECT_TRUE(s.ok()) << s.message();
    return v;
  }

  std::unique_ptr<Vm> vm_;
};

TEST_F(SandboxTest, IoIsNotAvailable) {
  Status s = Run("return io.open('/etc/passwd')");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "plugins/echo/test.lua:1: undeclared global 'io' (declare it with 'local', or check "
            "the spelling)");
}

TEST_F(SandboxTest, OsKeepsOnlyTimeClockAndDate) {
  EXPECT_FALSE(Run("return os.execute('true')").ok());
  Status s = Run("return os.getenv('HOME')");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("getenv"), std::string::npos) << s.message();
  EXPECT_FALSE(Run("return os.remove('/tmp/x')").ok());
  EXPECT_TRUE(Eval("return type(os.time()) == 'number' and type(os.clock()) == 'number' and "
                   "type(os.date('%Y')) == 'string'")
                  .AsBool());
}

TEST_F(SandboxTest, UnsafeBaseFunctionsAreGone) {
  for (const char* name :
       {"load", "loadfile", "dofile", "collectgarbage", "debug", "package", "print", "_G"}) {
    Status s = Run(std::string("return rawget(_ENV, '") + name + "') == nil and " + name);
    EXPECT_FALSE(s.ok()) << name;
    EXPECT_NE(s.message().find("undeclared global '" + std::string(name) + "'"), std::string::npos)
        << s.message();
  }
  EXPECT_TRUE(Eval("return string.dump == nil and ('x').dump == nil").AsBool());
}

TEST_F(SandboxTest, BinaryChunksAreRefused) {
  std::string bytecode = "\x1bLua\x54\x00\x19\x93\r\n\x1a\n";
  Status s = LoadChunk(vm_.get(), bytecode, "=bin");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("binary chunk"), std::string::npos) << s.message();
}

TEST_F(SandboxTest, GlobalWritesAndReadsOfUndeclaredNamesFail) {
  Status s = Run("local a = 1\ncounter = a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "plugins/echo/test.lua:2: assignment to undeclared global 'counter' (use 'local')");
  EXPECT_TRUE(Eval("local counter = 1 return counter == 1").AsBool());
}

TEST_F(SandboxTest, RequireFindsPluginFilesLibAndHostModules) {
  EXPECT_EQ(Eval("return require('helpers.shapes').area(3, 4)"), Value(12));
  EXPECT_EQ(Eval("return require('lib.testutil').prefix('a', 'b')"), Value("ab"));
  EXPECT_EQ(Eval("return type(require('host.log').info)"), Value("function"));
  EXPECT_TRUE(Eval("return require('host.json') == require('host.json')").AsBool());
}

TEST_F(SandboxTest, RequireRefusesPathsOutsideThePlugin) {
  for (const char* name : {"../../etc/passwd", "../lib/testutil", "/etc/passwd", "a/b"}) {
    Status s = Run(std::string("local m = require('") + name + "') return m");
    ASSERT_FALSE(s.ok()) << name;
    EXPECT_NE(s.message().find("plugins/echo/test.lua:1: invalid module name"), std::string::npos)
        << s.message();
  }
}

TEST_F(SandboxTest, RequireOfAMissingModuleNamesWhereItLooked) {
  Status s = Run("return require('nothere')");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("module 'nothere' not found; searched plugins/echo/nothere.lua"),
            std::string::npos)
      << s.message();
  s = Run("return require('host.jsn')");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("did you mean 'host.json'?"), std::string::npos) << s.message();
}

TEST_F(SandboxTest, EndlessLoopIsStoppedAndTheVmStaysUsable) {
  VmOptions options;
  options.instruction_limit = 1'000'000;
  Make(options);
  Status s = Run("local n = 0\nwhile true do n = n + 1 end");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("plugins/echo/test.lua:2: instruction budget exceeded"),
            std::string::npos)
      << s.message();
  EXPECT_FALSE(s.hint().empty());
  // A pcall inside the loop cannot swallow the budget error.
  s = Run("while true do pcall(function() while true do end end) end");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("instruction budget exceeded"), std::string::npos);
  EXPECT_EQ(Eval("return 1 + 1"), Value(2));
}

TEST_F(SandboxTest, HugeStringHitsTheMemoryCapAndTheVmStaysUsable) {
  Status s = Run("local s = string.rep('x', 1 << 30) return #s");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not enough memory"), std::string::npos) << s.message();
  Value v = Eval("local ok, err = pcall(string.rep, 'x', 1 << 30) return { ok, err }");
  EXPECT_EQ(v, Value(Value::List{Value(false), Value("not enough memory")}));
  EXPECT_EQ(Eval("return #string.rep('x', 1000)"), Value(1000));
  EXPECT_LT(vm_->memory_used(), size_t{16} << 20);
}

TEST_F(SandboxTest, PassedDeadlineStopsTheCallAsTimeout) {
  vm_->context().deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  Status s = Run("while true do end");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kTimeout);
  EXPECT_NE(s.message().find("deadline exceeded"), std::string::npos);
}

TEST_F(SandboxTest, FailCarriesHintRetryableAndLine) {
  Status s =
      Run("local x = 1\ncairn.fail('server busy', { hint = 'wait a bit', retryable = true })");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kRetryable);
  EXPECT_EQ(s.message(), "plugins/echo/test.lua:2: server busy");
  EXPECT_EQ(s.hint(), "wait a bit");
  s = Run("cairn.fail('no')");
  EXPECT_EQ(s.code(), Status::Code::kError);
  EXPECT_EQ(s.hint(), "");
}

TEST_F(SandboxTest, FailCanBeCaughtAndInspectedByThePlugin) {
  EXPECT_EQ(Eval("local ok, e = pcall(cairn.fail, 'x', { hint = 'h' }) return e.hint"), Value("h"));
}

TEST_F(SandboxTest, ErrorsCarryPluginFileAndLine) {
  Status s = Run("local t = {}\n\nreturn t.x.y");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("plugins/echo/test.lua:3: attempt to index a nil value", 0), 0u)
      << s.message();
}

// A chunk is compiled once per process; later VMs load the host's bytecode of the same text.
TEST_F(SandboxTest, ChunkLoadedIntoFurtherVmsKeepsLinesAndOwnState) {
  const std::string code =
      "local n = 0\n"
      "local function bump() n = n + 1 return n end\n"
      "bump()\n"
      "if bump() > 9 then local t = {} return t.x.y end\n"
      "return bump()";
  EXPECT_EQ(Eval(code), Value(3));
  Make(VmOptions());                // a second VM: the chunk comes from the cache
  EXPECT_EQ(Eval(code), Value(3));  // its own upvalues, not the first VM's
  Status s = Run("local t = {}\n\nreturn t.x.y");
  Make(VmOptions());
  Status again = Run("local t = {}\n\nreturn t.x.y");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.message(), s.message());
  EXPECT_EQ(again.message().rfind("plugins/echo/test.lua:3: attempt to index a nil value", 0), 0u)
      << again.message();
  // The same name with other text is compiled anew.
  EXPECT_EQ(Eval("return 41 + 1"), Value(42));
  EXPECT_EQ(Eval("return 'other'"), Value("other"));
  // Globals stay refused in a loaded copy, and require still works.
  EXPECT_FALSE(Run("local a = 1\ncounter = a").ok());
  EXPECT_EQ(Eval("return require('helpers.shapes').area(3, 4)"), Value(12));
}

TEST_F(SandboxTest, TracebackOnlyWhenAsked) {
  EXPECT_EQ(Run("error('x')").message().find("stack traceback"), std::string::npos);
  vm_->set_traceback(true);
  EXPECT_NE(Run("error('x')").message().find("stack traceback"), std::string::npos);
}

TEST_F(SandboxTest, UnknownSentinel) {
  lua_State* L = vm_->L();
  ASSERT_TRUE(
      LoadChunk(vm_.get(), "local v = ... return cairn.is_unknown(v), tostring(v)", "=t").ok());
  PushValue(L, Value::Unknown());
  ASSERT_TRUE(vm_->Call(1, 2).ok());
  EXPECT_TRUE(lua_toboolean(L, -2));
  EXPECT_STREQ(lua_tostring(L, -1), "(known after apply)");
  lua_pop(L, 2);
  EXPECT_EQ(Eval("return cairn.api"), Value(1));
}

TEST_F(SandboxTest, ValueRoundTripKeepsNestingAndUnknowns) {
  Value in = Value::EmptyMap();
  in["list"] = Value(Value::List{Value(1), Value(2.5), Value("s"), Value(true)});
  in["map"]["inner"]["deep"] = Value(Value::List{Value::EmptyMap(), Value::Unknown()});
  in["unknown"] = Value::Unknown();
  lua_State* L = vm_->L();
  ASSERT_TRUE(LoadChunk(vm_.get(), "local v = ... return v", "=t").ok());
  PushValue(L, in);
  ASSERT_TRUE(vm_->Call(1, 1).ok());
  Value out;
  std::string err;
  ASSERT_TRUE(ToValue(L, -1, &out, &err)) << err;
  lua_pop(L, 1);
  EXPECT_EQ(out, in) << out.ToString();
  EXPECT_TRUE(out.Find("unknown")->is_unknown());
}

// What cannot become a Value is refused with the path to it, whichever key Lua visits first.
TEST_F(SandboxTest, TablesThatAreNotDataAreRefusedWithTheirPath) {
  lua_State* L = vm_->L();
  auto why = [&](const std::string& code) {
    EXPECT_TRUE(LoadChunk(vm_.get(), code, "=t").ok());
    EXPECT_TRUE(vm_->Call(0, 1).ok());
    Value v;
    std::string error;
    bool ok = ToValue(L, -1, &v, &error);
    lua_pop(L, 1);
    return ok ? "ok: " + v.ToString() : error;
  };
  EXPECT_EQ(why("return { a = 1, [1] = 2 }"), "table mixes string keys with non-string keys");
  EXPECT_EQ(why("return { [1] = 2, a = 1, b = 3 }"),
            "table mixes string keys with non-string keys");
  EXPECT_EQ(why("return { [-1] = 1 }"), "table mixes string keys with non-string keys");
  EXPECT_EQ(why("return { 1, nil, 3 }"), "list has a hole at index 2");
  EXPECT_EQ(why("return { a = { b = { function() end } } }"),
            "a: b: [1]: cannot convert a Lua function to a value");
  EXPECT_EQ(why("return { b = 2, a = { 1, 2 }, c = {} }"), "ok: {a = [1, 2], b = 2, c = {}}");
}

TEST_F(SandboxTest, EmptyListsStayListsThroughLuaAndJson) {
  // A manifest's `args: []` must reach the API server as [] (a {} is a type error there) and
  // come back from Lua as a list, not as an empty map.
  Value in = Value::EmptyMap();
  in["args"] = Value::EmptyList();
  in["env"] = Value::EmptyMap();
  in["nested"] = Value(Value::List{Value::EmptyList()});
  lua_State* L = vm_->L();
  ASSERT_TRUE(LoadChunk(vm_.get(),
                        "local v = ... local json = require('host.json')\n"
                        "return v, json.encode(v), #v.args",
                        "=t")
                  .ok());
  PushValue(L, in);
  ASSERT_TRUE(vm_->Call(1, 3).ok());
  EXPECT_EQ(lua_tointeger(L, -1), 0);
  EXPECT_STREQ(lua_tostring(L, -2), R"({"args":[],"env":{},"nested":[[]]})");
  Value out;
  std::string err;
  ASSERT_TRUE(ToValue(L, -3, &out, &err)) << err;
  lua_pop(L, 3);
  EXPECT_EQ(out, in) << out.ToString();
  EXPECT_TRUE(out.Find("args")->is_list());
  EXPECT_TRUE(out.Find("env")->is_map());
  // A table the plugin builds itself is a list when marked with json.array.
  EXPECT_TRUE(Eval("return require('host.json').array({})").is_list());
  EXPECT_TRUE(Eval("return {}").is_map());
}

}  // namespace
}  // namespace cairn::lua
