#include "engine/base/value.h"

#include <atomic>
#include <cassert>
#include <cmath>
#include <sstream>

namespace cairn {
namespace {

const std::string kEmptyString;
const Value::List kEmptyList;
const Value::Map kEmptyMap;

void AppendQuoted(std::string* out, const std::string& s) {
  *out += '"';
  size_t from = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char* escaped = nullptr;
    switch (s[i]) {
      case '"': escaped = "\\\""; break;
      case '\\': escaped = "\\\\"; break;
      case '\n': escaped = "\\n"; break;
      case '\t': escaped = "\\t"; break;
      default: continue;
    }
    out->append(s, from, i - from);
    *out += escaped;
    from = i + 1;
  }
  out->append(s, from, std::string::npos);
  *out += '"';
}

// Appends the compact rendering of `v`; plans render thousands of values, so this writes into
// one string rather than through a stream.
void Render(std::string* out, const Value& v) {
  if (v.sensitive) {
    *out += "(sensitive)";
    return;
  }
  switch (v.kind()) {
    case Value::Kind::kNull: *out += "null"; break;
    case Value::Kind::kBool: *out += v.AsBool() ? "true" : "false"; break;
    case Value::Kind::kInt: *out += std::to_string(v.AsInt()); break;
    case Value::Kind::kFloat: {
      std::ostringstream number;  // the stream's shortest-of-6-digits form, as before
      number << v.AsNumber();
      *out += number.str();
      break;
    }
    case Value::Kind::kString: AppendQuoted(out, v.AsString()); break;
    case Value::Kind::kUnknown: *out += "(known after apply)"; break;
    case Value::Kind::kList: {
      *out += '[';
      bool first = true;
      for (const Value& item : v.AsList()) {
        if (!first) *out += ", ";
        first = false;
        Render(out, item);
      }
      *out += ']';
      break;
    }
    case Value::Kind::kMap: {
      *out += '{';
      bool first = true;
      for (const auto& [k, item] : v.AsMap()) {
        if (!first) *out += ", ";
        first = false;
        *out += k;
        *out += " = ";
        Render(out, item);
      }
      *out += '}';
      break;
    }
  }
}

}  // namespace

Value Value::Unknown(std::string origin) {
  Value v;
  v.v_ = UnknownMark{std::move(origin)};
  return v;
}

bool Value::AsBool() const {
  assert(is_bool());
  return is_bool() ? std::get<bool>(v_) : false;
}

int64_t Value::AsInt() const {
  if (is_int()) return std::get<int64_t>(v_);
  if (is_float()) return static_cast<int64_t>(std::get<double>(v_));
  assert(false && "AsInt on non-number");
  return 0;
}

double Value::AsNumber() const {
  if (is_float()) return std::get<double>(v_);
  if (is_int()) return static_cast<double>(std::get<int64_t>(v_));
  assert(false && "AsNumber on non-number");
  return 0;
}

const std::string& Value::AsString() const {
  assert(is_string());
  return is_string() ? std::get<std::string>(v_) : kEmptyString;
}

const Value::List& Value::AsList() const {
  assert(is_list());
  return is_list() ? *std::get<std::shared_ptr<List>>(v_) : kEmptyList;
}

const Value::Map& Value::AsMap() const {
  assert(is_map());
  return is_map() ? *std::get<std::shared_ptr<Map>>(v_) : kEmptyMap;
}

namespace {

// Makes `p` the only owner of its container, copying it when another value shares it.
template <typename T>
T& Own(std::shared_ptr<T>& p) {
  if (p.use_count() != 1) {
    p = std::make_shared<T>(*p);
  } else {
    // use_count() is a relaxed read; this pairs with the release of the last other owner, so
    // its reads of the container happen before our writes.
    std::atomic_thread_fence(std::memory_order_acquire);
  }
  return *p;
}

}  // namespace

Value::List& Value::MutableList() {
  if (!is_list()) v_ = std::make_shared<List>();
  return Own(std::get<std::shared_ptr<List>>(v_));
}

Value::Map& Value::MutableMap() {
  if (!is_map()) v_ = std::make_shared<Map>();
  return Own(std::get<std::shared_ptr<Map>>(v_));
}

const std::string& Value::UnknownOrigin() const {
  return is_unknown() ? std::get<UnknownMark>(v_).origin : kEmptyString;
}

const Value* Value::Find(std::string_view key) const {
  if (!is_map()) return nullptr;
  const Map& m = *std::get<std::shared_ptr<Map>>(v_);
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

Value* Value::FindMutable(std::string_view key) {
  if (!is_map()) return nullptr;
  Map& m = MutableMap();
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

Value& Value::operator[](std::string_view key) {
  Map& m = MutableMap();
  auto it = m.find(key);
  if (it != m.end()) return it->second;
  return m.emplace(std::string(key), Value()).first->second;
}

void Value::Push(Value v) { MutableList().push_back(std::move(v)); }

size_t Value::size() const {
  if (is_list()) return AsList().size();
  if (is_map()) return AsMap().size();
  return 0;
}

bool Value::ContainsUnknown() const {
  if (is_unknown()) return true;
  if (is_list())
    for (const Value& v : AsList())
      if (v.ContainsUnknown()) return true;
  if (is_map())
    for (const auto& [k, v] : AsMap())
      if (v.ContainsUnknown()) return true;
  return false;
}

bool Value::ContainsSensitive() const {
  if (sensitive) return true;
  if (is_list())
    for (const Value& v : AsList())
      if (v.ContainsSensitive()) return true;
  if (is_map())
    for (const auto& [k, v] : AsMap())
      if (v.ContainsSensitive()) return true;
  return false;
}

bool Value::operator==(const Value& other) const {
  if (is_number() && other.is_number()) {
    if (is_int() && other.is_int()) return AsInt() == other.AsInt();
    return AsNumber() == other.AsNumber();
  }
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case Kind::kNull: return true;
    case Kind::kBool: return AsBool() == other.AsBool();
    case Kind::kString: return AsString() == other.AsString();
    case Kind::kUnknown: return UnknownOrigin() == other.UnknownOrigin();
    // Copies share their containers: the same container is equal without a walk.
    case Kind::kList: return &AsList() == &other.AsList() || AsList() == other.AsList();
    case Kind::kMap: return &AsMap() == &other.AsMap() || AsMap() == other.AsMap();
    default: return false;
  }
}

const char* Value::KindName(Kind k) {
  switch (k) {
    case Kind::kNull: return "null";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "integer";
    case Kind::kFloat: return "number";
    case Kind::kString: return "string";
    case Kind::kList: return "list";
    case Kind::kMap: return "map";
    case Kind::kUnknown: return "unknown";
  }
  return "?";
}

std::string Value::ToString() const {
  std::string out;
  Render(&out, *this);
  return out;
}

bool ContainsText(const Value& v, std::string_view needle) {
  if (v.is_string()) return std::string_view(v.AsString()).find(needle) != std::string_view::npos;
  if (v.is_map()) {
    for (const auto& [k, item] : v.AsMap())
      if (ContainsText(item, needle)) return true;
  } else if (v.is_list()) {
    for (const Value& item : v.AsList())
      if (ContainsText(item, needle)) return true;
  }
  return false;
}

std::string PathKey(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  std::string out = parent;
  out += '.';
  out += key;
  return out;
}

std::string PathIndex(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

}  // namespace cairn
