#include "engine/base/json.h"

#include <nlohmann/json.hpp>

namespace cairn {

nlohmann::json ToJson(const Value& v, const JsonOptions& opts) {
  if (opts.redact_sensitive && v.sensitive) return "(sensitive)";
  switch (v.kind()) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kBool: return v.AsBool();
    case Value::Kind::kInt: return v.AsInt();
    case Value::Kind::kFloat: return v.AsNumber();
    case Value::Kind::kString: return v.AsString();
    case Value::Kind::kUnknown:
      if (opts.keep_unknown) return nlohmann::json{{"$unknown", v.UnknownOrigin()}};
      return nullptr;
    case Value::Kind::kList: {
      nlohmann::json arr = nlohmann::json::array();
      for (const Value& item : v.AsList()) arr.push_back(ToJson(item, opts));
      return arr;
    }
    case Value::Kind::kMap: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& [k, item] : v.AsMap()) obj[k] = ToJson(item, opts);
      return obj;
    }
  }
  return nullptr;
}

Value FromJson(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value();
    case nlohmann::json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return Value(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned:
      return Value(static_cast<int64_t>(j.get<uint64_t>()));
    case nlohmann::json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      Value::List list;
      list.reserve(j.size());
      for (const auto& item : j) list.push_back(FromJson(item));
      return Value(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      if (j.size() == 1 && j.contains("$unknown") && j["$unknown"].is_string())
        return Value::Unknown(j["$unknown"].get<std::string>());
      Value::Map map;
      for (auto it = j.begin(); it != j.end(); ++it) map.emplace(it.key(), FromJson(it.value()));
      return Value(std::move(map));
    }
    default: return Value();
  }
}

Result<Value> ParseJson(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only to learn where it failed; the cost is paid on errors only.
    try {
      nlohmann::json unused = nlohmann::json::parse(text);
      (void)unused;
    } catch (const nlohmann::json::parse_error& e) {
      return Status::Error("invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    }
    return Status::Error("invalid JSON");
  }
  return FromJson(j);
}

std::string DumpJson(const Value& v, int indent, const JsonOptions& opts) {
  return ToJson(v, opts).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cairn
