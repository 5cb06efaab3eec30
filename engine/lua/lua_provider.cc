#include "engine/lua/lua_provider.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/base/edit_distance.h"
#include "engine/lua/convert.h"
#include "engine/lua/lazy_blueprint.h"
#include "engine/lua/lazy_state.h"
#include "engine/lua/lua_provider_internal.h"
#include "engine/lua/modules/modules.h"
#include "engine/lua/plugin_schema.h"
#include "engine/lua/sandbox.h"

// GCC 12 reports a false "maybe uninitialized" inside std::variant when a Value is moved into a
// Result<Value>; the code paths are fine (clang and later GCCs agree).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace cairn::lua {

using provider::CallContext;
using provider::ResourceType;

namespace {

std::string ReadText(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every string inside `v`.
void CollectStrings(const Value& v, std::vector<std::string>* out) {
  if (v.is_string()) {
    out->push_back(v.AsString());
  } else if (v.is_list()) {
    for (const Value& item : v.AsList()) CollectStrings(item, out);
  } else if (v.is_map()) {
    for (const auto& [k, item] : v.AsMap()) CollectStrings(item, out);
  }
}

// Strings of attributes the schema marks sensitive, and of values marked sensitive.
void CollectSecrets(const Value& v, const std::map<std::string, provider::Attribute>* attrs,
                    std::vector<std::string>* out) {
  if (v.sensitive) return CollectStrings(v, out);
  if (v.is_map()) {
    for (const auto& [k, item] : v.AsMap()) {
      const provider::Attribute* a = nullptr;
      if (attrs != nullptr) {
        auto it = attrs->find(k);
        if (it != attrs->end()) a = &it->second;
      }
      if (a != nullptr && a->sensitive)
        CollectStrings(item, out);
      else
        CollectSecrets(item, nullptr, out);
    }
  } else if (v.is_list()) {
    for (const Value& item : v.AsList()) CollectSecrets(item, nullptr, out);
  }
}

double EpochDeadline(std::chrono::steady_clock::time_point deadline) {
  if (deadline == std::chrono::steady_clock::time_point::max()) return HUGE_VAL;
  using Seconds = std::chrono::duration<double>;
  double now = Seconds(std::chrono::system_clock::now().time_since_epoch()).count();
  return now + Seconds(deadline - std::chrono::steady_clock::now()).count();
}

std::string LibDisplay(const std::string& lib_dir) {
  std::filesystem::path p(lib_dir);
  if (!p.has_filename()) p = p.parent_path();
  return BaseName(p.parent_path().string()) + "/" + BaseName(p.string());
}

}  // namespace

LuaProvider::LuaProvider(const PluginInfo& info, const HostOptions& options)
    : info_(info), options_(options) {}

LuaProvider::~LuaProvider() = default;

Result<std::unique_ptr<LuaProvider>> LuaProvider::Load(const PluginInfo& info,
                                                       const HostOptions& options) {
  std::unique_ptr<LuaProvider> p(new LuaProvider(info, options));
  std::string source;
  auto first = p->NewVm(&source);
  if (!first.ok()) return first.status();
  lua_State* L = (*first)->vm->L();
  lua_rawgeti(L, LUA_REGISTRYINDEX, (*first)->plugin_ref);
  Status s = ReadPluginSchema(L, -1, info, source, &p->schema_);
  lua_pop(L, 1);
  if (!s.ok()) return s;
  p->idle_.push_back(first->get());
  p->all_.push_back(std::move(*first));
  return p;
}

Result<std::unique_ptr<LuaProvider::PooledVm>> LuaProvider::NewVm(std::string* source) {
  VmOptions vo;
  vo.memory_limit = options_.memory_limit;
  vo.instruction_limit = options_.instruction_limit;
  vo.traceback = options_.traceback;
  auto p = std::make_unique<PooledVm>();
  p->vm = Vm::Create(vo);
  if (p->vm == nullptr) return Status::Error("cannot create a Lua state: out of memory");
  Vm* vm = p->vm.get();
  lua_State* L = vm->L();
  vm->context().plugin = info_.name;
  vm->context().log_sink = options_.log_sink;
  SandboxOptions so;
  so.plugin_dir = info_.dir;
  so.plugin_display = info_.display_root + "/" + info_.name;
  so.lib_dir = options_.lib_dir;
  if (!so.lib_dir.empty()) so.lib_display = LibDisplay(so.lib_dir);
  Status s = InstallSandbox(vm, so);
  if (!s.ok()) return s;
  bool read_ok = false;
  std::string text = ReadText(info_.provider_file, &read_ok);
  if (!read_ok)
    return Status::Error("cannot read " + info_.provider_file,
                         "check that the plugin folder holds a readable provider.lua");
  s = LoadChunk(vm, text, "@" + info_.Display());
  if (s.ok()) s = vm->Call(0, 1);
  if (!s.ok()) return s;
  if (lua_type(L, -1) != LUA_TTABLE) {
    std::string got = luaL_typename(L, -1);
    lua_pop(L, 1);
    return Status::Error(
        info_.Display() + ": provider.lua must return a table, it returned " + got,
        "end the file with: return { name = \"" + info_.name + "\", api = 1, ... }");
  }
  p->plugin_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  s = vm->CallC(OpenLogModule, 0, 1);
  if (!s.ok()) return s;
  p->log_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (source != nullptr) *source = std::move(text);
  return p;
}

Status LuaProvider::ConfigureVm(PooledVm* p, const Value& config) {
  Vm* vm = p->vm.get();
  lua_State* L = vm->L();
  HostContext& hc = vm->context();
  hc.fs_root.clear();
  if (const Value* dir = config.Find("output_dir"); dir != nullptr && dir->is_string()) {
    std::filesystem::path root(dir->AsString());
    if (root.is_relative()) {
      std::filesystem::path base = options_.blueprint_dir.empty()
                                       ? std::filesystem::current_path()
                                       : std::filesystem::path(options_.blueprint_dir);
      root = base / root;
    }
    hc.fs_root = std::filesystem::absolute(root).lexically_normal().string();
    while (hc.fs_root.size() > 1 && hc.fs_root.back() == '/') hc.fs_root.pop_back();
  }
  hc.insecure_endpoints.clear();
  if (const Value* list = config.Find("insecure_endpoints"); list != nullptr && list->is_list())
    for (const Value& item : list->AsList())
      if (item.is_string()) hc.insecure_endpoints.push_back(item.AsString());

  luaL_unref(L, LUA_REGISTRYINDEX, p->config_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, p->client_ref);
  p->client_ref = LUA_REFNIL;
  PushValue(L, config);
  p->config_ref = luaL_ref(L, LUA_REGISTRYINDEX);

  lua_rawgeti(L, LUA_REGISTRYINDEX, p->plugin_ref);
  int t = RawGet(L, -1, "configure");
  lua_remove(L, -2);
  if (t != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return Status::Ok();
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->config_ref);
  hc.sensitive_values = p->secrets;
  Status s = vm->Call(1, 1);
  hc.EndCall();
  if (!s.ok()) return s.Prepend("configuring provider '" + info_.name + "': ");
  p->client_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return Status::Ok();
}

Status LuaProvider::Configure(const Value& config) {
  Value applied;
  Status s = ApplyConfigSchema(schema_, config, &applied);
  if (!s.ok()) return s;
  std::vector<std::string> secrets;
  CollectSecrets(applied, &schema_.config, &secrets);
  {
    std::lock_guard<std::mutex> lock(mu_);
    config_ = applied;
    config_secrets_ = secrets;
    ++generation_;
  }
  // Configure one VM now so that a failing configure is reported here, not at the first call.
  Lease lease;
  return Acquire(&lease);
}

Status LuaProvider::EnsureConfigured() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (generation_ != 0) return Status::Ok();
  }
  return Configure(Value());
}

Status LuaProvider::Acquire(Lease* lease) {
  std::unique_lock<std::mutex> lock(mu_);
  PooledVm* p = nullptr;
  int max_vms = options_.max_vms < 1 ? 1 : options_.max_vms;
  while (p == nullptr) {
    if (!idle_.empty()) {
      p = idle_.back();
      idle_.pop_back();
    } else if (static_cast<int>(all_.size()) + creating_ < max_vms) {
      ++creating_;
      lock.unlock();
      auto made = NewVm(nullptr);
      lock.lock();
      --creating_;
      if (!made.ok()) {
        cv_.notify_one();
        return made.status();
      }
      p = made->get();
      all_.push_back(std::move(*made));
    } else {
      cv_.wait(lock);
    }
  }
  lease->owner = this;
  lease->p = p;
  if (p->generation == generation_) return Status::Ok();
  Value config = config_;
  uint64_t generation = generation_;
  p->secrets = config_secrets_;
  lock.unlock();
  Status s = ConfigureVm(p, config);
  if (s.ok()) p->generation = generation;
  return s;
}

void LuaProvider::Release(PooledVm* p) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(p);
  }
  cv_.notify_one();
}

size_t LuaProvider::vm_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return all_.size();
}

Value LuaProvider::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

Status LuaProvider::Inconsistent(const std::string& address, const std::string& what) const {
  return Status::Error(
      "provider '" + info_.name + "' returned an inconsistent result for " + address + ": " + what,
      "this is a bug in " + info_.Display() + "; report it to the plugin's author");
}

Status LuaProvider::CheckObject(const ResourceType& rt, const std::string& address,
                                const char* action, bool is_plan, Value* v) const {
  if (!v->is_map())
    return Inconsistent(address, std::string(action) + " returned " + LuaTypeName(*v) +
                                     ", expected a table of attributes");
  const Value* id = v->Find("id");
  if (!is_plan && (id == nullptr || !id->is_string() || id->AsString().empty()))
    return Inconsistent(address, std::string(action) + " returned no string 'id'");
  for (auto& [key, item] : v->MutableMap()) {
    auto it = rt.attributes.find(key);
    if (it == rt.attributes.end()) {
      std::vector<std::string> names;
      for (const auto& [n, a] : rt.attributes) names.push_back(n);
      std::string dym = DidYouMean(key, names);
      return Inconsistent(address, "attribute '" + key + "' is not in the schema of " + rt.name +
                                       (dym.empty() ? "" : " (" + dym + ")"));
    }
    if (!is_plan && item.ContainsUnknown())
      return Inconsistent(address, "attribute '" + key + "' is still unknown after " + action);
    if (!NormalizeToType(&item, it->second.type))
      return Inconsistent(address, "attribute '" + key + "' is " + LuaTypeName(item) +
                                       ", schema says " + provider::AttrTypeName(it->second.type));
    if (it->second.sensitive) item.sensitive = true;
  }
  return Status::Ok();
}

Status LuaProvider::CallResource(const CallSpec& spec, std::vector<Value>* out) {
  Lease lease;
  Status s = Acquire(&lease);
  if (!s.ok()) return s;
  PooledVm* p = lease.p;
  Vm* vm = p->vm.get();
  lua_State* L = vm->L();
  const CallContext& ctx = *spec.ctx;
  const std::string short_type = spec.rt->name.substr(info_.name.size() + 1);

  lua_rawgeti(L, LUA_REGISTRYINDEX, p->plugin_ref);
  RawGet(L, -1, "resources");
  RawGet(L, -1, short_type.c_str());
  int t = RawGet(L, -1, spec.function);
  lua_replace(L, -4);
  lua_pop(L, 2);
  if (t != LUA_TFUNCTION) {
    lua_pop(L, 1);
    return Status::Error(info_.Display() + ": resource '" + short_type + "' has no '" +
                         spec.function + "' function");
  }

  HostContext& hc = vm->context();
  hc.address = ctx.address;
  hc.deadline = ctx.deadline;
  hc.cancelled = ctx.cancelled;
  hc.sensitive_values = p->secrets;
  for (const Value* arg : spec.args)
    CollectSecrets(*arg, &spec.rt->attributes, &hc.sensitive_values);

  // ctx: address, type, client, config, log, deadline, blueprint.
  lua_createtable(L, 0, 7);
  lua_pushlstring(L, ctx.address.data(), ctx.address.size());
  lua_setfield(L, -2, "address");
  lua_pushlstring(L, spec.rt->name.data(), spec.rt->name.size());
  lua_setfield(L, -2, "type");
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->client_ref);
  lua_setfield(L, -2, "client");
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->config_ref);
  lua_setfield(L, -2, "config");
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->log_ref);
  lua_setfield(L, -2, "log");
  lua_pushnumber(L, EpochDeadline(ctx.deadline));
  lua_setfield(L, -2, "deadline");
  {
    std::lock_guard<std::mutex> lock(mu_);
    p->blueprint.source = blueprint_;
    p->blueprint.source_version = blueprint_version_;
  }
  AttachBlueprint(L, &p->blueprint);
  for (const Value* arg : spec.args) {
    if (spec.lazy_states && arg->is_list())
      PushLazyStates(L, arg->AsList());
    else
      PushValue(L, *arg);
  }

  s = vm->Call(1 + static_cast<int>(spec.args.size()), spec.nresults);
  if (s.ok()) {
    out->resize(spec.nresults);
    std::string why;
    for (int i = 0; i < spec.nresults && s.ok(); ++i) {
      if (!ToValue(L, -spec.nresults + i, &(*out)[i], &why))
        s = Inconsistent(ctx.address.empty() ? spec.rt->name : ctx.address,
                         std::string(spec.function) + " returned a value that is not data: " + why);
    }
    lua_pop(L, spec.nresults);
  }
  if (spec.lazy_states) EndLazyStates(L);
  hc.EndCall();
  return s;
}

namespace {

const ResourceType* FindType(const provider::ProviderSchema& schema, const std::string& type,
                             Status* error) {
  auto it = schema.resources.find(type);
  if (it != schema.resources.end()) return &it->second;
  std::vector<std::string> names;
  for (const auto& [n, rt] : schema.resources) names.push_back(n);
  *error = Status::Error("provider '" + schema.name + "' has no resource type '" + type + "'",
                         DidYouMean(type, names));
  return nullptr;
}

}  // namespace

void LuaProvider::SetBlueprint(std::shared_ptr<const Value> blueprint) {
  std::lock_guard<std::mutex> lock(mu_);
  if (blueprint_ == blueprint) return;  // the same blueprint again: VMs keep their conversion
  blueprint_ = std::move(blueprint);
  ++blueprint_version_;
}

Result<std::optional<Value>> LuaProvider::Read(const CallContext& ctx, const std::string& type,
                                               const Value& prior) {
  Status s = EnsureConfigured();
  const ResourceType* rt = s.ok() ? FindType(schema_, type, &s) : nullptr;
  if (!s.ok()) return s;
  std::vector<Value> out;
  s = CallResource(CallSpec{&ctx, rt, "read", {&prior}, 1}, &out);
  if (!s.ok()) return s;
  if (out[0].is_null()) return std::optional<Value>();
  s = CheckObject(*rt, ctx.address, "read", false, &out[0]);
  if (!s.ok()) return s;
  return std::optional<Value>(std::move(out[0]));
}

Result<std::map<std::string, Value>> LuaProvider::ReadAll(const CallContext& ctx,
                                                          const std::string& type,
                                                          std::vector<Value> priors) {
  Status s = EnsureConfigured();
  const ResourceType* rt = s.ok() ? FindType(schema_, type, &s) : nullptr;
  if (!s.ok()) return s;
  // Lent to the call as one list, then taken back: an unchanged object's prior is its result.
  Value list(Value::List(std::move(priors)));
  std::vector<Value> out;
  s = CallResource(CallSpec{&ctx, rt, "read_all", {&list}, 1, true}, &out);
  priors = std::move(list.MutableList());
  if (!s.ok()) return s;
  std::string where = ctx.address.empty() ? type : ctx.address;
  std::map<std::string, Value> result;
  if (out[0].is_null()) return result;
  if (!out[0].is_map())
    return Inconsistent(where, std::string("read_all returned ") + LuaTypeName(out[0]) +
                                   ", expected a table keyed by id");
  std::map<std::string, Value*> prior_by_id;
  for (Value& prior : priors)
    if (const Value* id = prior.Find("id"); id != nullptr && id->is_string())
      prior_by_id.emplace(id->AsString(), &prior);
  for (auto& [id, state] : out[0].MutableMap()) {
    if (state.is_bool() && state.AsBool()) {  // unchanged: the recorded state stands
      auto prior = prior_by_id.find(id);
      if (prior == prior_by_id.end())
        return Inconsistent(where,
                            "read_all returned true for '" + id + "', which it was not given");
      result.emplace(id, std::move(*prior->second));
      continue;
    }
    if (state.is_map() && state.Find("id") == nullptr) state["id"] = Value(id);
    s = CheckObject(*rt, type + " " + id, "read_all", false, &state);
    if (!s.ok()) return s;
    if (state.Find("id")->AsString() != id)
      return Inconsistent(where, "read_all returned the object with id '" +
                                     state.Find("id")->AsString() + "' under the key '" + id + "'");
    result.emplace(id, std::move(state));
  }
  return result;
}

Result<provider::PlannedChange> LuaProvider::Plan(const CallContext& ctx, const std::string& type,
                                                  const Value& prior, const Value& proposed) {
  Status s = EnsureConfigured();
  const ResourceType* rt = s.ok() ? FindType(schema_, type, &s) : nullptr;
  if (!s.ok()) return s;
  std::vector<Value> out;
  s = CallResource(CallSpec{&ctx, rt, "plan", {&prior, &proposed}, 2}, &out);
  if (!s.ok()) return s;
  provider::PlannedChange change;
  s = CheckObject(*rt, ctx.address, "plan", true, &out[0]);
  if (!s.ok()) return s;
  change.planned = std::move(out[0]);
  if (!out[1].is_null()) {
    const Value* rr = out[1].is_map() ? out[1].Find("requires_replace") : nullptr;
    if (!out[1].is_map() || (rr != nullptr && !rr->is_list() && !(rr->is_map() && rr->size() == 0)))
      return Inconsistent(ctx.address,
                          "plan's second result must be { requires_replace = { \"attr\", ... } }");
    if (rr != nullptr && rr->is_list()) {
      for (const Value& name : rr->AsList()) {
        if (!name.is_string() || rt->attributes.count(name.AsString()) == 0)
          return Inconsistent(ctx.address, "requires_replace names " + name.ToString() +
                                               ", which is not an attribute of " + type);
        change.requires_replace.push_back(name.AsString());
      }
    }
  }
  return change;
}

Result<Value> LuaProvider::Create(const CallContext& ctx, const std::string& type,
                                  const Value& planned) {
  Status s = EnsureConfigured();
  const ResourceType* rt = s.ok() ? FindType(schema_, type, &s) : nullptr;
  if (!s.ok()) return s;
  std::vector<Value> out;
  s = CallResource(CallSpec{&ctx, rt, "create", {&planned}, 1}, &out);
  if (s.ok()) s = CheckObject(*rt, ctx.address, "create", false, &out[0]);
  if (!s.ok()) return s;
  return Result<Value>(std::move(out[0]));
}

Result<Value> LuaProvider::Update(const CallContext& ctx, const std::string& type,
                                  const Value& prior, const Value& planned) {
  Status s = EnsureConfigured();
  const ResourceType* rt = s.ok() ? FindType(schema_, type, &s) : nullptr;
  if (!s.ok()) return s;
  std::vector<Value> out;
  s = CallResource(CallSpec{&ctx, rt, "update", {&prior, &planned}, 1}, &out);
  if (s.ok()) s = CheckObject(*rt, ctx.address, "update", false, &out[0]);
  if (!s.ok()) return s;
  return Result<Value>(std::move(out[0]));
}

Status LuaProvider::Delete(const CallContext& ctx, const std::string& type, const Value& prior) {
  Status s = EnsureConfigured();
  const ResourceType* rt = s.ok() ? FindType(schema_, type, &s) : nullptr;
  if (!s.ok()) return s;
  std::vector<Value> out;
  return CallResource(CallSpec{&ctx, rt, "delete", {&prior}, 0}, &out);
}

Result<Value> LuaProvider::Import(const CallContext& ctx, const std::string& type,
                                  const std::string& id) {
  Status s = EnsureConfigured();
  const ResourceType* rt = s.ok() ? FindType(schema_, type, &s) : nullptr;
  if (!s.ok()) return s;
  Value id_value(id);
  std::vector<Value> out;
  s = CallResource(CallSpec{&ctx, rt, "import", {&id_value}, 1}, &out);
  if (s.ok()) s = CheckObject(*rt, ctx.address, "import", false, &out[0]);
  if (!s.ok()) return s;
  return Result<Value>(std::move(out[0]));
}

}  // namespace cairn::lua
