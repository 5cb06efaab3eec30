#include "engine/state/state.h"

#include <cstdio>
#include <random>
#include <set>

#include <openssl/rand.h>
#include <sys/random.h>

namespace cairn::state {
namespace {

std::string Quote(const std::string& s) { return "'" + s + "'"; }

Status FieldError(const std::string& where, const char* field, const char* expected,
                  const Value& got) {
  return Status::Error(
      where + ": field '" + field + "' must be " + expected + ", got " + got.kind_name(),
      "the state file was edited by hand or written by another tool; restore "
      "it from the backups/ folder next to it");
}

// Reads an optional string field; absent or null leaves *out unchanged.
Status ReadString(const Value& obj, const std::string& where, const char* field, std::string* out) {
  const Value* v = obj.Find(field);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return FieldError(where, field, "a string", *v);
  *out = v->AsString();
  return Status::Ok();
}

Status ReadStringList(const Value& obj, const std::string& where, const char* field,
                      std::vector<std::string>* out) {
  const Value* v = obj.Find(field);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_list()) return FieldError(where, field, "a list of strings", *v);
  for (const Value& item : v->AsList()) {
    if (!item.is_string()) return FieldError(where, field, "a list of strings", item);
    out->push_back(item.AsString());
  }
  return Status::Ok();
}

}  // namespace

const ResourceState* State::Find(const std::string& address) const {
  auto it = resources.find(address);
  return it == resources.end() ? nullptr : &it->second;
}

std::string NewLineage() {
  unsigned char b[16];
  // The kernel's generator directly: OpenSSL's first RAND_bytes seeds a DRBG (7M instructions,
  // a tenth of a small plan) for the 16 bytes a lock id or a lineage needs.
  if (getrandom(b, sizeof b, 0) != static_cast<ssize_t>(sizeof b) && RAND_bytes(b, sizeof b) != 1) {
    // Both failing is near impossible; fall back rather than abort.
    std::random_device rd;
    for (unsigned char& c : b) c = static_cast<unsigned char>(rd());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

void AppendHistory(State* s, Value record, size_t keep) {
  if (!s->history.is_list()) s->history = Value::EmptyList();
  Value::List& list = s->history.MutableList();
  list.push_back(std::move(record));
  if (list.size() > keep) list.erase(list.begin(), list.end() - static_cast<ptrdiff_t>(keep));
}

Value ResourceToValue(const ResourceState& r) {
  Value v = Value::EmptyMap();
  v["address"] = r.address;
  v["type"] = r.type;
  v["provider"] = r.provider;
  v["id"] = r.id;
  v["attributes"] = r.attributes.is_null() ? Value::EmptyMap() : r.attributes;
  Value deps = Value::EmptyList();
  for (const std::string& d : r.dependencies) deps.Push(d);
  v["dependencies"] = std::move(deps);
  // The marks on the attribute values and the explicit list may each know paths the other
  // does not (a provider schema vs. a value marked during planning); keep both.
  std::set<std::string> paths(r.sensitive_paths.begin(), r.sensitive_paths.end());
  for (std::string& p : SensitivePaths(r.attributes)) paths.insert(std::move(p));
  Value sens = Value::EmptyList();
  for (const std::string& p : paths) sens.Push(p);
  v["sensitive_paths"] = std::move(sens);
  v["private"] = r.private_data;
  v["schema_version"] = r.schema_version;
  return v;
}

namespace {

// The one implementation of ResourceFromValue. When `movable` is this resource's own value
// (not const), its attributes are moved out instead of copied: a large state holds thousands.
Result<ResourceState> ResourceFrom(const Value& v, Value* movable) {
  if (!v.is_map()) {
    return Status::Error(std::string("a resource must be a map, got ") + v.kind_name());
  }
  ResourceState r;
  const Value* addr = v.Find("address");
  if (addr == nullptr || !addr->is_string() || addr->AsString().empty()) {
    return Status::Error("a resource has no 'address' (a non-empty string)",
                         "the state file was edited by hand or written by another tool; "
                         "restore it from the backups/ folder next to it");
  }
  r.address = addr->AsString();
  std::string where = "resource " + Quote(r.address);
  Status s = ReadString(v, where, "type", &r.type);
  if (s.ok()) s = ReadString(v, where, "provider", &r.provider);
  if (s.ok()) s = ReadString(v, where, "id", &r.id);
  if (s.ok()) s = ReadStringList(v, where, "dependencies", &r.dependencies);
  if (s.ok()) s = ReadStringList(v, where, "sensitive_paths", &r.sensitive_paths);
  if (!s.ok()) return s;
  const Value* attrs = v.Find("attributes");
  if (attrs == nullptr || attrs->is_null()) {
    r.attributes = Value::EmptyMap();
  } else if (!attrs->is_map()) {
    return FieldError(where, "attributes", "a map", *attrs);
  } else if (movable != nullptr) {
    r.attributes = std::move(*movable->FindMutable("attributes"));
  } else {
    r.attributes = *attrs;
  }
  MarkSensitive(&r.attributes, r.sensitive_paths);
  if (const Value* p = v.Find("private")) r.private_data = *p;
  if (const Value* sv = v.Find("schema_version"); sv != nullptr && !sv->is_null()) {
    if (!sv->is_int()) return FieldError(where, "schema_version", "an integer", *sv);
    r.schema_version = static_cast<int>(sv->AsInt());
  }
  return r;
}

}  // namespace

Result<ResourceState> ResourceFromValue(const Value& v) { return ResourceFrom(v, nullptr); }

Value StateToValue(const State& s) {
  Value v = Value::EmptyMap();
  v["format_version"] = State::kFormatVersion;
  v["lineage"] = s.lineage;
  v["serial"] = static_cast<int64_t>(s.serial);
  Value list = Value::EmptyList();
  list.MutableList().reserve(s.resources.size());
  for (const auto& [addr, r] : s.resources) list.Push(ResourceToValue(r));  // map: sorted
  v["resources"] = std::move(list);
  v["history"] = s.history.is_list() ? s.history : Value::EmptyList();
  return v;
}

namespace {

// The one implementation of StateFromValue; `movable` is `v` itself when the caller gives the
// value up, so that resource attributes and history are moved rather than copied.
Result<State> StateFrom(const Value& v, Value* movable) {
  const char* kHint =
      "the state file was edited by hand or written by another tool; restore it from the "
      "backups/ folder next to it";
  if (!v.is_map()) {
    return Status::Error(std::string("the state must be a JSON object, got ") + v.kind_name(),
                         kHint);
  }
  const Value* fv = v.Find("format_version");
  if (fv == nullptr || !fv->is_int()) {
    return Status::Error("field 'format_version' is missing or not an integer", kHint);
  }
  if (fv->AsInt() > State::kFormatVersion) {
    return Status::Error("the state has format_version " + std::to_string(fv->AsInt()) +
                             ", newer than this cairn understands (" +
                             std::to_string(State::kFormatVersion) + ")",
                         "it was written by a newer cairn; upgrade cairn to use this state");
  }
  if (fv->AsInt() < 1) {
    return Status::Error(
        "field 'format_version' must be at least 1, got " + std::to_string(fv->AsInt()), kHint);
  }
  State s;
  const Value* lineage = v.Find("lineage");
  if (lineage == nullptr || !lineage->is_string() || lineage->AsString().empty()) {
    return Status::Error("field 'lineage' must be a non-empty string", kHint);
  }
  s.lineage = lineage->AsString();
  const Value* serial = v.Find("serial");
  if (serial == nullptr || !serial->is_int() || serial->AsInt() < 0) {
    return Status::Error("field 'serial' must be a non-negative integer", kHint);
  }
  s.serial = static_cast<uint64_t>(serial->AsInt());
  if (const Value* res = v.Find("resources"); res != nullptr && !res->is_null()) {
    if (!res->is_list()) {
      return Status::Error(std::string("field 'resources' must be a list, got ") + res->kind_name(),
                           kHint);
    }
    Value::List* items =
        movable != nullptr ? &movable->FindMutable("resources")->MutableList() : nullptr;
    size_t i = 0;
    for (const Value& item : res->AsList()) {
      Result<ResourceState> r = ResourceFrom(item, items != nullptr ? &(*items)[i] : nullptr);
      if (!r.ok()) {
        Status st = r.status();
        return st.Prepend(PathIndex("resources", i) + ": ");
      }
      std::string addr = r->address;
      if (!s.resources.emplace(addr, std::move(r).value()).second) {
        return Status::Error(PathIndex("resources", i) + ": resource '" + addr + "' appears twice",
                             kHint);
      }
      ++i;
    }
  }
  const Value* hist = v.Find("history");
  if (hist == nullptr || hist->is_null()) {
    s.history = Value::EmptyList();
  } else if (!hist->is_list()) {
    return Status::Error(std::string("field 'history' must be a list, got ") + hist->kind_name(),
                         kHint);
  } else if (movable != nullptr) {
    s.history = std::move(*movable->FindMutable("history"));
  } else {
    s.history = *hist;
  }
  return s;
}

}  // namespace

Result<State> StateFromValue(const Value& v) { return StateFrom(v, nullptr); }

Result<State> StateFromValue(Value&& v) { return StateFrom(v, &v); }

}  // namespace cairn::state
