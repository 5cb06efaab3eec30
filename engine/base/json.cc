#include "engine/base/json.h"

#include <nlohmann/json.hpp>

#include "engine/base/json_text.h"

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

namespace {

// Writes Values as JSON text byte for byte as nlohmann's dump() writes ToJson(v) (state files,
// journals and plans stay identical), without building that document first: states are
// written after every apply step, and the document cost more than the writing. Strings that
// are not valid UTF-8 and floats are left to nlohmann, which owns those rules.
class JsonWriter {
 public:
  JsonWriter(int indent, const JsonOptions& opts, std::string* out)
      : indent_(indent), opts_(opts), out_(*out) {}

  /// False when `v` holds a string that is not valid UTF-8 (nothing useful is written then).
  bool Write(const Value& v, int depth) {
    if (opts_.redact_sensitive && v.sensitive) {
      out_ += "\"(sensitive)\"";
      return true;
    }
    switch (v.kind()) {
      case Value::Kind::kNull: out_ += "null"; return true;
      case Value::Kind::kBool: out_ += v.AsBool() ? "true" : "false"; return true;
      case Value::Kind::kInt: out_ += std::to_string(v.AsInt()); return true;
      case Value::Kind::kFloat: out_ += nlohmann::json(v.AsNumber()).dump(); return true;
      case Value::Kind::kString: return WriteString(v.AsString());
      case Value::Kind::kUnknown:
        if (!opts_.keep_unknown) {
          out_ += "null";
          return true;
        }
        out_ += '{';
        if (!WriteKey("$unknown", depth)) return false;
        if (!WriteString(v.UnknownOrigin())) return false;
        Close('}', depth);
        return true;
      case Value::Kind::kList: {
        const Value::List& list = v.AsList();
        if (list.empty()) {
          out_ += "[]";
          return true;
        }
        out_ += '[';
        for (size_t i = 0; i < list.size(); ++i) {
          if (i > 0) out_ += ',';
          NewLine(depth + 1);
          if (!Write(list[i], depth + 1)) return false;
        }
        Close(']', depth);
        return true;
      }
      case Value::Kind::kMap: {
        const Value::Map& map = v.AsMap();
        if (map.empty()) {
          out_ += "{}";
          return true;
        }
        out_ += '{';
        bool first = true;
        for (const auto& [key, item] : map) {
          if (!first) out_ += ',';
          first = false;
          if (!WriteKey(key, depth) || !Write(item, depth + 1)) return false;
        }
        Close('}', depth);
        return true;
      }
    }
    out_ += "null";
    return true;
  }

 private:
  void Close(char c, int depth) {
    NewLine(depth);
    out_ += c;
  }
  void NewLine(int depth) {
    if (indent_ < 0) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(depth) * static_cast<size_t>(indent_), ' ');
  }
  bool WriteKey(std::string_view key, int depth) {
    NewLine(depth + 1);
    if (!WriteString(key)) return false;
    out_ += indent_ < 0 ? ":" : ": ";
    return true;
  }
  bool WriteString(std::string_view s);

  int indent_;
  const JsonOptions& opts_;
  std::string& out_;
};

bool JsonWriter::WriteString(std::string_view s) { return json_text::AppendQuoted(s, &out_); }

}  // namespace

bool AppendJson(const Value& v, int indent, int depth, std::string* out, const JsonOptions& opts) {
  return JsonWriter(indent, opts, out).Write(v, depth);
}

std::string DumpJson(const Value& v, int indent, const JsonOptions& opts) {
  std::string out;
  if (JsonWriter(indent, opts, &out).Write(v, 0)) return out;
  // Invalid UTF-8 somewhere: nlohmann's replacement rules decide what is written.
  return ToJson(v, opts).dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cairn
