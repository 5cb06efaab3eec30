#include "engine/state/history.h"

namespace cairn::state {
namespace {

std::string Str(const Value& m, const char* key) {
  const Value* v = m.Find(key);
  return v != nullptr && v->is_string() ? v->AsString() : "";
}

int Int(const Value& m, const char* key) {
  const Value* v = m.Find(key);
  return v != nullptr && v->is_int() ? static_cast<int>(v->AsInt()) : 0;
}

}  // namespace

Value ApplyRecordToValue(const ApplyRecord& r) {
  Value v = Value::EmptyMap();
  v["kind"] = "apply";
  v["serial"] = static_cast<int64_t>(r.serial);
  v["time"] = r.time;
  v["user"] = r.user;
  v["operation"] = r.operation;
  v["commit"] = r.commit;
  v["dirty"] = r.dirty;
  Value counts = Value::EmptyMap();
  counts["add"] = r.added;
  counts["change"] = r.changed;
  counts["replace"] = r.replaced;
  counts["delete"] = r.deleted;
  v["changes"] = std::move(counts);
  v["result"] = r.result;
  return v;
}

std::optional<ApplyRecord> ApplyRecordFromValue(const Value& v) {
  if (!v.is_map() || Str(v, "kind") != "apply") return std::nullopt;
  ApplyRecord r;
  if (const Value* s = v.Find("serial"); s != nullptr && s->is_int() && s->AsInt() >= 0)
    r.serial = static_cast<uint64_t>(s->AsInt());
  r.time = Str(v, "time");
  r.user = Str(v, "user");
  r.operation = Str(v, "operation");
  r.commit = Str(v, "commit");
  if (const Value* d = v.Find("dirty"); d != nullptr && d->is_bool()) r.dirty = d->AsBool();
  if (const Value* c = v.Find("changes"); c != nullptr && c->is_map()) {
    r.added = Int(*c, "add");
    r.changed = Int(*c, "change");
    r.replaced = Int(*c, "replace");
    r.deleted = Int(*c, "delete");
  }
  r.result = Str(v, "result");
  return r;
}

std::vector<ApplyRecord> ApplyHistory(const State& s) {
  std::vector<ApplyRecord> out;
  if (!s.history.is_list()) return out;
  for (const Value& v : s.history.AsList())
    if (std::optional<ApplyRecord> r = ApplyRecordFromValue(v)) out.push_back(std::move(*r));
  return out;
}

std::string LastAppliedCommit(const State& s) {
  std::vector<ApplyRecord> all = ApplyHistory(s);
  for (auto it = all.rbegin(); it != all.rend(); ++it)
    if (!it->commit.empty()) return it->commit;
  return "";
}

}  // namespace cairn::state
