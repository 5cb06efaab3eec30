// host.yaml: YAML text <-> Lua values (YAML 1.2 core schema for plain scalars), via yaml-cpp.
#include <cctype>
#include <limits>
#include <map>
#include <mutex>
#include <regex>
#include <string>

#include <yaml-cpp/yaml.h>

#include "engine/lua/binding.h"
#include "engine/lua/modules/json_lua.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

constexpr int kMaxDepth = 100;

// What a plain (unquoted) scalar means under the YAML 1.2 core schema. Strings that YAML 1.1
// readers would take for booleans (yes/no/on/off) are reported too, so that encode quotes them.
enum class ScalarKind { kString, kNull, kBool, kInt, kFloat, kYaml11Bool };

ScalarKind Classify(const std::string& s) {
  static const std::regex kInt("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|"
      "NAN)");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarKind::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE")
    return ScalarKind::kBool;
  if (std::regex_match(s, kInt)) return ScalarKind::kInt;
  if (std::regex_match(s, kFloat)) return ScalarKind::kFloat;
  static const std::regex kYaml11("y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF");
  if (std::regex_match(s, kYaml11)) return ScalarKind::kYaml11Bool;
  return ScalarKind::kString;
}

std::string Where(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
         ": ";
}

nlohmann::json ScalarToJson(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag != "?") return s;  // quoted ("!") or explicitly tagged: keep the text
  switch (Classify(s)) {
    case ScalarKind::kNull: return nullptr;
    case ScalarKind::kBool: return s[0] == 't' || s[0] == 'T';
    case ScalarKind::kInt: {
      try {
        if (s.rfind("0o", 0) == 0) return static_cast<int64_t>(std::stoll(s.substr(2), nullptr, 8));
        if (s.rfind("0x", 0) == 0)
          return static_cast<int64_t>(std::stoll(s.substr(2), nullptr, 16));
        return static_cast<int64_t>(std::stoll(s, nullptr, 10));
      } catch (const std::out_of_range&) {
        return std::stod(s);
      }
    }
    case ScalarKind::kFloat: {
      size_t dot = s.find('.');
      if (dot != std::string::npos && dot + 1 < s.size() && std::isalpha(s[dot + 1])) {
        if (s[dot + 1] == 'n' || s[dot + 1] == 'N') return std::numeric_limits<double>::quiet_NaN();
        return s[0] == '-' ? -std::numeric_limits<double>::infinity()
                           : std::numeric_limits<double>::infinity();
      }
      return std::stod(s);
    }
    case ScalarKind::kString:
    case ScalarKind::kYaml11Bool: return s;
  }
  return s;
}

nlohmann::json NodeToJson(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth)
    throw BindingError{"yaml.decode: " + Where(node.Mark()) + "document nested too deeply"};
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const YAML::Node& item : node) out.push_back(NodeToJson(item, depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          throw BindingError{"yaml.decode: " + Where(kv.first.Mark()) +
                             "only scalar mapping keys are supported"};
        const std::string& key = kv.first.Scalar();
        if (out.contains(key))
          throw BindingError{"yaml.decode: " + Where(kv.first.Mark()) + "duplicate key '" + key +
                             "'"};
        out[key] = NodeToJson(kv.second, depth + 1);
      }
      return out;
    }
  }
  return nullptr;
}

void Emit(YAML::Emitter& e, const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
    case nlohmann::json::value_t::binary: e << YAML::Null; break;
    case nlohmann::json::value_t::boolean: e << (j.get<bool>() ? "true" : "false"); break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float: e << j.dump(); break;
    case nlohmann::json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      if (Classify(s) != ScalarKind::kString)
        e << YAML::DoubleQuoted << s;
      else if (s.find('\n') != std::string::npos && s.back() == '\n' &&
               s.find_first_of("\r\t") == std::string::npos && s.front() != ' ')
        e << YAML::Literal << s;
      else
        e << s;
      break;
    }
    case nlohmann::json::value_t::array:
      if (j.empty()) e << YAML::Flow;
      e << YAML::BeginSeq;
      for (const nlohmann::json& item : j) Emit(e, item);
      e << YAML::EndSeq;
      break;
    case nlohmann::json::value_t::object:
      if (j.empty()) e << YAML::Flow;
      e << YAML::BeginMap;
      for (auto it = j.begin(); it != j.end(); ++it) {
        e << YAML::Key;
        if (Classify(it.key()) != ScalarKind::kString)
          e << YAML::DoubleQuoted << it.key();
        else
          e << it.key();
        e << YAML::Value;
        Emit(e, it.value());
      }
      e << YAML::EndMap;
      break;
  }
}

int Encode(lua_State* L) {
  return Bind(L, "encode", [](Args& a, Returns& r) {
    nlohmann::json j;
    std::string error;
    if (!LuaToJson(a.state(), 1, &j, &error)) a.Fail(1, error);
    YAML::Emitter e;
    Emit(e, j);
    if (!e.good()) throw BindingError{"yaml.encode: " + e.GetLastError()};
    std::string text = e.c_str();
    text += '\n';
    r.emplace_back(std::move(text));
  });
}

// Documents of small texts decoded before, for the process. Every VM of a plugin decodes the
// same settings (a kubeconfig) when it is configured, and yaml-cpp spends about 2M instructions
// on a small file; the result of a text never changes.
constexpr size_t kMaxCachedText = size_t{64} << 10;
constexpr size_t kMaxCachedTexts = 32;

struct DecodeCache {
  std::mutex mu;
  std::map<std::string, nlohmann::json, std::less<>> docs;
};

DecodeCache& Cache() {
  static auto* cache = new DecodeCache;  // never freed: the process ends with it
  return *cache;
}

bool FindCached(const std::string& text, nlohmann::json* out) {
  DecodeCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  auto it = c.docs.find(text);
  if (it == c.docs.end()) return false;
  *out = it->second;
  return true;
}

void StoreCached(const std::string& text, const nlohmann::json& doc) {
  DecodeCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.docs.size() < kMaxCachedTexts) c.docs.emplace(text, doc);
}

int Decode(lua_State* L) {
  return BindJson(L, "decode", [](Args& a, JsonReturns& r) {
    std::string text = a.String(1);
    bool cacheable = text.size() <= kMaxCachedText;
    nlohmann::json doc;
    if (cacheable && FindCached(text, &doc)) {
      r.push_back(std::move(doc));
      return;
    }
    try {
      doc = NodeToJson(YAML::Load(text), 0);
    } catch (const YAML::Exception& e) {
      throw BindingError{"yaml.decode: " + Where(e.mark) + e.msg};
    }
    if (cacheable) StoreCached(text, doc);
    r.push_back(std::move(doc));
  });
}

int DecodeAll(lua_State* L) {
  return BindJson(L, "decode_all", [](Args& a, JsonReturns& r) {
    std::string text = a.String(1);
    try {
      nlohmann::json docs = nlohmann::json::array();
      for (const YAML::Node& doc : YAML::LoadAll(text)) docs.push_back(NodeToJson(doc, 0));
      r.push_back(std::move(docs));
    } catch (const YAML::Exception& e) {
      throw BindingError{"yaml.decode_all: " + Where(e.mark) + e.msg};
    }
  });
}

}  // namespace

int OpenYamlModule(lua_State* L) {
  EnsureJsonArrayMeta(L);
  static const luaL_Reg kFunctions[] = {
      {"encode", Encode}, {"decode", Decode}, {"decode_all", DecodeAll}, {nullptr, nullptr}};
  luaL_newlib(L, kFunctions);
  PushJsonNull(L);
  lua_setfield(L, -2, "null");
  return 1;
}

}  // namespace cairn::lua
