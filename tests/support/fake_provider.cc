#include "tests/support/fake_provider.h"

#include <thread>

namespace cairn::testing {

void EventLog::Add(std::string event) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(std::move(event));
}

std::vector<std::string> EventLog::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

int EventLog::IndexOf(const std::string& event) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < events_.size(); ++i)
    if (events_[i] == event) return static_cast<int>(i);
  return -1;
}

provider::Attribute FakeAttr(const std::string& name, bool computed, bool force_new,
                             bool sensitive) {
  provider::Attribute a;
  a.name = name;
  a.computed = computed;
  a.force_new = force_new;
  a.sensitive = sensitive;
  return a;
}

FakeProvider::FakeProvider(std::string name) {
  schema_.name = std::move(name);
  schema_.version = "0.0.1";
  schema_.source = "(fake)";
}

provider::ResourceType& FakeProvider::AddType(const std::string& short_type,
                                              std::vector<provider::Attribute> attrs) {
  provider::ResourceType t;
  t.name = schema_.name + "." + short_type;
  t.attributes["id"] = FakeAttr("id", /*computed=*/true);
  for (provider::Attribute& a : attrs) t.attributes[a.name] = std::move(a);
  std::string key = t.name;
  return schema_.resources[key] = std::move(t);
}

void FakeProvider::PutObject(const std::string& type, Value attrs) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string id = attrs.Find("id") ? attrs.Find("id")->AsString() : "";
  objects_[type][id] = std::move(attrs);
}

std::optional<Value> FakeProvider::GetObject(const std::string& type, const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = objects_.find(type);
  if (t == objects_.end()) return std::nullopt;
  auto o = t->second.find(id);
  if (o == t->second.end()) return std::nullopt;
  return o->second;
}

void FakeProvider::RemoveObject(const std::string& type, const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  objects_[type].erase(id);
}

size_t FakeProvider::ObjectCount(const std::string& type) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = objects_.find(type);
  return t == objects_.end() ? 0 : t->second.size();
}

void FakeProvider::Fail(const std::string& op, const std::string& address, Status s) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_[op + " " + address] = std::move(s);
}

void FakeProvider::SetRequiresReplace(std::vector<std::string> attrs) {
  std::lock_guard<std::mutex> lock(mu_);
  requires_replace_ = std::move(attrs);
}

void FakeProvider::Mangle(const std::string& address, const std::string& attr, Value v) {
  std::lock_guard<std::mutex> lock(mu_);
  mangles_[address][attr] = std::move(v);
}

std::vector<FakeProvider::Call> FakeProvider::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

int FakeProvider::CallCount(const std::string& op) const {
  std::lock_guard<std::mutex> lock(mu_);
  int n = 0;
  for (const Call& c : calls_)
    if (c.op == op) ++n;
  return n;
}

std::vector<std::string> FakeProvider::CallAddresses(const std::string& op) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const Call& c : calls_)
    if (c.op == op) out.push_back(c.address);
  return out;
}

Status FakeProvider::Begin(const std::string& op, const std::string& type,
                           const std::string& address) {
  int now = ++in_flight_;
  int seen = max_in_flight_.load();
  while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
  }
  if (log_ != nullptr) log_->Add(op + " " + address);
  Status scripted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (record_) calls_.push_back(Call{op, type, address});
    auto it = failures_.find(op + " " + address);
    if (it != failures_.end()) scripted = it->second;
  }
  if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
  return scripted;
}

void FakeProvider::FillComputed(const std::string& type, const std::string& id,
                                Value* attrs) const {
  auto t = schema_.resources.find(type);
  if (t == schema_.resources.end()) return;
  for (const auto& [name, attr] : t->second.attributes) {
    if (!attr.computed) continue;
    const Value* v = attrs->Find(name);
    if (v != nullptr && !v->is_null() && !v->is_unknown()) continue;
    (*attrs)[name] = name == "id" ? Value(id) : Value(name + "-of-" + id);
  }
}

void FakeProvider::ApplyMangles(const std::string& address, Value* attrs) const {
  auto it = mangles_.find(address);
  if (it == mangles_.end()) return;
  for (const auto& [attr, v] : it->second) (*attrs)[attr] = v;
}

// Keeps the in-flight count right on every return path.
#define FAKE_CALL(op, type, address)          \
  struct Done {                               \
    FakeProvider* p;                          \
    ~Done() { p->End(); }                     \
  } done{this};                               \
  Status scripted = Begin(op, type, address); \
  if (!scripted.ok()) return scripted

Result<std::optional<Value>> FakeProvider::Read(const provider::CallContext& ctx,
                                                const std::string& type, const Value& prior) {
  FAKE_CALL("read", type, ctx.address);
  const Value* id = prior.Find("id");
  std::lock_guard<std::mutex> lock(mu_);
  auto t = objects_.find(type);
  if (id == nullptr || !id->is_string() || t == objects_.end()) return std::optional<Value>();
  auto o = t->second.find(id->AsString());
  if (o == t->second.end()) return std::optional<Value>();
  return std::optional<Value>(o->second);
}

Result<std::map<std::string, Value>> FakeProvider::ReadAll(const provider::CallContext& ctx,
                                                           const std::string& type,
                                                           std::vector<Value> priors) {
  FAKE_CALL("read_all", type, ctx.address);
  std::map<std::string, Value> out;
  std::lock_guard<std::mutex> lock(mu_);
  auto t = objects_.find(type);
  if (t == objects_.end()) return out;
  for (const Value& prior : priors) {
    const Value* id = prior.Find("id");
    if (id == nullptr || !id->is_string()) continue;
    auto o = t->second.find(id->AsString());
    if (o != t->second.end()) out[o->first] = o->second;
  }
  return out;
}

Result<provider::PlannedChange> FakeProvider::Plan(const provider::CallContext& ctx,
                                                   const std::string& type, const Value& prior,
                                                   const Value& proposed) {
  FAKE_CALL("plan", type, ctx.address);
  provider::PlannedChange change;
  change.planned = proposed;
  std::lock_guard<std::mutex> lock(mu_);
  if (!prior.is_null()) change.requires_replace = requires_replace_;
  return change;
}

Result<Value> FakeProvider::Create(const provider::CallContext& ctx, const std::string& type,
                                   const Value& planned) {
  FAKE_CALL("create", type, ctx.address);
  Value obj = planned;
  std::lock_guard<std::mutex> lock(mu_);
  std::string id = "id-" + std::to_string(next_id_++);
  if (obj.Find("id") != nullptr) obj.MutableMap().erase("id");
  FillComputed(type, id, &obj);
  ApplyMangles(ctx.address, &obj);
  objects_[type][id] = obj;
  return obj;
}

Result<Value> FakeProvider::Update(const provider::CallContext& ctx, const std::string& type,
                                   const Value& prior, const Value& planned) {
  FAKE_CALL("update", type, ctx.address);
  Value obj = planned;
  const Value* id = prior.Find("id");
  std::string id_text = id != nullptr && id->is_string() ? id->AsString() : "";
  std::lock_guard<std::mutex> lock(mu_);
  FillComputed(type, id_text, &obj);
  obj.MutableMap()["id"] = Value(id_text);
  ApplyMangles(ctx.address, &obj);
  Value& stored = objects_[type][id_text];
  stored = std::move(obj);
  return Result<Value>(stored);
}

Status FakeProvider::Delete(const provider::CallContext& ctx, const std::string& type,
                            const Value& prior) {
  FAKE_CALL("delete", type, ctx.address);
  const Value* id = prior.Find("id");
  std::lock_guard<std::mutex> lock(mu_);
  if (id != nullptr && id->is_string()) objects_[type].erase(id->AsString());
  return Status::Ok();
}

Result<Value> FakeProvider::Import(const provider::CallContext& ctx, const std::string& type,
                                   const std::string& id) {
  FAKE_CALL("import", type, ctx.address);
  std::lock_guard<std::mutex> lock(mu_);
  auto t = objects_.find(type);
  if (t == objects_.end() || t->second.count(id) == 0)
    return Status::WithCode(Status::Code::kNotFound, "no object with id '" + id + "'");
  return t->second.at(id);
}

#undef FAKE_CALL

}  // namespace cairn::testing
