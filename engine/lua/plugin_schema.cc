#include "engine/lua/plugin_schema.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "engine/base/edit_distance.h"
#include "engine/lua/convert.h"

namespace cairn::lua {
namespace {

using provider::Attribute;
using provider::AttrType;
using provider::ProviderSchema;
using provider::ResourceType;

const std::vector<std::string> kTopKeys = {"name",   "version",   "api",    "description",
                                           "config", "configure", "expand", "resources"};
const std::vector<std::string> kResourceKeys = {
    "description", "create_before_destroy", "timeout", "schema", "version", "read",
    "read_all",    "read_all_by",           "plan",    "create", "update",  "delete",
    "import"};
const std::vector<std::string> kResourceFunctions = {"read",   "read_all", "plan",  "create",
                                                     "update", "delete",   "import"};
const std::vector<std::string> kRequiredFunctions = {"read", "create", "update", "delete"};
const std::vector<std::string> kAttrKeys = {"type",      "required", "computed",   "force_new",
                                            "sensitive", "default",  "description"};
const std::vector<std::string> kTypeNames = {"string", "number", "bool", "list", "map", "any"};

bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool IsIdentifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!IsIdentChar(c)) return false;
  return true;
}

// The 1-based line of the first whole-word occurrence of `word` in `source` at or after the
// first occurrence of `after` (when given and found); 0 when absent.
int FindLine(const std::string& source, const std::string& word, const std::string& after = "") {
  if (word.empty()) return 0;
  size_t from = 0;
  if (!after.empty()) {
    int line = FindLine(source, after);
    if (line > 0) {
      for (int l = 1; l < line; ++l) from = source.find('\n', from) + 1;
    }
  }
  for (size_t pos = source.find(word, from); pos != std::string::npos;
       pos = source.find(word, pos + 1)) {
    bool left_ok = pos == 0 || !IsIdentChar(source[pos - 1]);
    size_t end = pos + word.size();
    bool right_ok = end >= source.size() || !IsIdentChar(source[end]);
    if (left_ok && right_ok) {
      int line = 1;
      for (size_t i = 0; i < pos; ++i)
        if (source[i] == '\n') ++line;
      return line;
    }
  }
  return 0;
}

// Builds errors that point into provider.lua.
struct SchemaErrors {
  const PluginInfo& info;
  const std::string& source;

  Status At(const std::string& word, const std::string& after, const std::string& message,
            const std::string& hint = "") const {
    int line = FindLine(source, word, after);
    std::string where = info.Display();
    if (line > 0) where += ":" + std::to_string(line);
    return Status::Error(where + ": " + message, hint);
  }
};

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string UnknownKeyHint(const std::string& key, const std::vector<std::string>& allowed) {
  std::string dym = DidYouMean(key, allowed);
  return dym.empty() ? "allowed: " + Joined(allowed) : dym;
}

// Reads a map of attribute specs ({ path = { type = "string", ... } }) into `out`.
Status ReadAttributes(const Value& specs, const std::string& owner, const std::string& anchor,
                      const SchemaErrors& err, std::map<std::string, Attribute>* out) {
  if (!specs.is_map())
    return err.At(
        anchor, "",
        "the schema of " + owner + " must be a table of attributes, got " + LuaTypeName(specs));
  for (const auto& [name, spec] : specs.AsMap()) {
    if (!IsIdentifier(name))
      return err.At(name, anchor,
                    "attribute name '" + name + "' of " + owner + " is not a valid name",
                    "use letters, digits and '_', starting with a letter");
    std::string what = "attribute '" + name + "' of " + owner;
    if (!spec.is_map())
      return err.At(name, anchor,
                    what + " must be a table like { type = \"string\" }, got " + LuaTypeName(spec));
    Attribute attr;
    attr.name = name;
    for (const auto& [key, v] : spec.AsMap()) {
      if (key == "type") {
        if (!v.is_string())
          return err.At(name, anchor, what + ": type must be a string, got " + LuaTypeName(v));
        if (!provider::ParseAttrType(v.AsString(), &attr.type)) {
          std::string dym = DidYouMean(v.AsString(), kTypeNames);
          return err.At(v.AsString(), anchor, what + " has unknown type '" + v.AsString() + "'",
                        (dym.empty() ? "" : dym + " ") + "types: " + Joined(kTypeNames));
        }
      } else if (key == "required" || key == "computed" || key == "force_new" ||
                 key == "sensitive") {
        if (!v.is_bool())
          return err.At(key, anchor,
                        what + ": " + key + " must be true or false, got " + LuaTypeName(v));
        bool b = v.AsBool();
        if (key == "required") attr.required = b;
        if (key == "computed") attr.computed = b;
        if (key == "force_new") attr.force_new = b;
        if (key == "sensitive") attr.sensitive = b;
      } else if (key == "default") {
        attr.default_value = v;
      } else if (key == "description") {
        if (!v.is_string()) return err.At(key, anchor, what + ": description must be a string");
        attr.description = v.AsString();
      } else {
        return err.At(key, anchor, what + " has unknown flag '" + key + "'",
                      UnknownKeyHint(key, kAttrKeys));
      }
    }
    if (spec.Find("type") == nullptr)
      return err.At(name, anchor, what + " has no type",
                    "add type = \"string\" (or number, bool, list, map, any)");
    if (attr.required && attr.computed)
      return err.At(name, anchor, what + " cannot be both required and computed",
                    "a computed attribute is set by the provider; drop one of the two flags");
    if (attr.required && !attr.default_value.is_null())
      return err.At(name, anchor, what + " is required and also has a default",
                    "drop required = true, or the default");
    if (!NormalizeToType(&attr.default_value, attr.type))
      return err.At(name, anchor,
                    what + ": default is " + std::string(LuaTypeName(attr.default_value)) +
                        ", but the type is " + provider::AttrTypeName(attr.type));
    (*out)[name] = std::move(attr);
  }
  return Status::Ok();
}

// Pushes t[key] (raw) and returns its type.
int RawField(lua_State* L, int t, const char* key) {
  lua_pushstring(L, key);
  return lua_rawget(L, t);
}

Status ReadResource(lua_State* L, int t, const std::string& short_name, const SchemaErrors& err,
                    ProviderSchema* out) {
  std::string full = out->name + "." + short_name;
  std::string what = "resource '" + short_name + "' (" + full + ")";
  ResourceType rt;
  rt.name = full;
  std::vector<std::string> present;
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return err.At(short_name, "resources", what + " has a key that is not a name");
    }
    std::string key = lua_tostring(L, -2);
    int vt = lua_type(L, -1);
    Value v;
    std::string why;
    bool is_function = std::find(kResourceFunctions.begin(), kResourceFunctions.end(), key) !=
                       kResourceFunctions.end();
    if (std::find(kResourceKeys.begin(), kResourceKeys.end(), key) == kResourceKeys.end()) {
      lua_pop(L, 2);
      return err.At(key, short_name, what + " has unknown field '" + key + "'",
                    UnknownKeyHint(key, kResourceKeys));
    }
    if (is_function) {
      if (vt != LUA_TFUNCTION) {
        lua_pop(L, 2);
        return err.At(key, short_name,
                      what + ": '" + key + "' must be a function, got " + lua_typename(L, vt));
      }
      present.push_back(key);
      lua_pop(L, 1);
      continue;
    }
    bool converted = ToValue(L, -1, &v, &why);
    lua_pop(L, 1);
    if (!converted) {
      lua_pop(L, 1);
      return err.At(key, short_name, what + ": " + key + ": " + why);
    }
    Status s;
    if (key == "description") {
      if (!v.is_string())
        s = err.At(key, short_name, what + ": description must be a string");
      else
        rt.description = v.AsString();
    } else if (key == "create_before_destroy") {
      if (!v.is_bool())
        s = err.At(key, short_name, what + ": " + key + " must be true or false");
      else
        rt.create_before_destroy = v.AsBool();
    } else if (key == "read_all_by") {
      if (!v.is_string() || v.AsString() != "id_parent")
        s = err.At(key, short_name, what + ": read_all_by must be \"id_parent\"",
                   "read_all is then called once per group of states whose ids share everything "
                   "before their last '/'");
      else
        rt.read_all_by_id_parent = true;
    } else if (key == "timeout") {
      if (!v.is_number() || v.AsNumber() <= 0)
        s = err.At(key, short_name, what + ": timeout must be a positive number of seconds");
      else
        rt.timeout_seconds = v.AsNumber();
    } else if (key == "version") {
      if (!v.is_int() || v.AsInt() < 1)
        s = err.At(key, short_name, what + ": version must be a positive integer");
      else
        rt.version = static_cast<int>(v.AsInt());
    } else if (key == "schema") {
      s = ReadAttributes(v, full, short_name, err, &rt.attributes);
    }
    if (!s.ok()) {
      lua_pop(L, 1);
      return s;
    }
  }
  for (const std::string& fn : kRequiredFunctions) {
    if (std::find(present.begin(), present.end(), fn) == present.end())
      return err.At(short_name, "resources", what + " has no '" + fn + "' function",
                    "every resource needs read, create, update and delete");
  }
  auto has = [&present](const char* fn) {
    return std::find(present.begin(), present.end(), fn) != present.end();
  };
  rt.has_read_all = has("read_all");
  if (rt.read_all_by_id_parent && !rt.has_read_all)
    return err.At("read_all_by", short_name, what + ": read_all_by needs a read_all function");
  rt.has_plan = has("plan");
  rt.has_import = has("import");
  auto id = rt.attributes.find("id");
  if (id != rt.attributes.end() && id->second.type != AttrType::kString &&
      id->second.type != AttrType::kAny)
    return err.At("id", short_name, what + ": attribute 'id' must have type string");
  Attribute& id_attr = rt.attributes["id"];
  id_attr.name = "id";
  id_attr.type = AttrType::kString;
  id_attr.computed = true;
  id_attr.required = false;
  if (id_attr.description.empty()) id_attr.description = "The object's identifier.";
  out->resources[full] = std::move(rt);
  return Status::Ok();
}

}  // namespace

const char* LuaTypeName(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: return "nil";
    case Value::Kind::kBool: return "bool";
    case Value::Kind::kInt:
    case Value::Kind::kFloat: return "number";
    case Value::Kind::kString: return "string";
    case Value::Kind::kList: return "list";
    case Value::Kind::kMap: return "map";
    case Value::Kind::kUnknown: return "unknown";
  }
  return "?";
}

bool NormalizeToType(Value* v, AttrType type) {
  if (type == AttrType::kList && v->is_map() && v->size() == 0) {
    bool sensitive = v->sensitive;
    SourceLoc loc = v->loc;
    *v = Value::EmptyList();
    v->sensitive = sensitive;
    v->loc = loc;
  }
  return provider::ValueFitsType(*v, type);
}

Status ReadPluginSchema(lua_State* L, int index, const PluginInfo& info, const std::string& source,
                        ProviderSchema* out) {
  index = lua_absindex(L, index);
  SchemaErrors err{info, source};
  if (lua_type(L, index) != LUA_TTABLE)
    return Status::Error(
        info.Display() + ": provider.lua must return a table, it returned " +
            luaL_typename(L, index),
        "end the file with: return { name = \"" + info.name + "\", api = 1, ... }");
  out->source = info.Display();
  // Unknown top-level keys first: a misspelt 'resources' would otherwise look like no resources.
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    std::string key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    if (std::find(kTopKeys.begin(), kTopKeys.end(), key) == kTopKeys.end()) {
      lua_pop(L, 1);
      if (key.empty()) return err.At("", "", "the plugin table has a key that is not a name");
      return err.At(key, "", "unknown field '" + key + "' in the plugin table",
                    UnknownKeyHint(key, kTopKeys));
    }
  }
  Value v;
  std::string why;
  auto scalar = [&](const char* key) -> bool {
    RawField(L, index, key);
    bool ok = lua_type(L, -1) != LUA_TFUNCTION && ToValue(L, -1, &v, &why);
    lua_pop(L, 1);
    return ok;
  };
  if (!scalar("name") || !v.is_string())
    return err.At("name", "", "the plugin table needs name = \"" + info.name + "\"");
  out->name = v.AsString();
  if (out->name != info.name)
    return err.At("name", "",
                  "plugin name '" + out->name + "' does not match its folder '" + info.name + "'",
                  "set name = \"" + info.name + "\" or rename the folder");
  if (!scalar("api") || !v.is_int())
    return err.At("api", "", "the plugin table needs api = 1 (the plugin API version)");
  if (v.AsInt() != 1)
    return err.At("api", "",
                  "plugin API version " + std::to_string(v.AsInt()) +
                      " is not supported (this cairn supports api = 1)");
  if (!scalar("version") || !(v.is_string() || v.is_null()))
    return err.At("version", "", "version must be a string such as \"1.0.0\"");
  out->version = v.is_string() ? v.AsString() : "";
  if (!scalar("description") || !(v.is_string() || v.is_null()))
    return err.At("description", "", "description must be a string");
  out->description = v.is_string() ? v.AsString() : "";
  for (const char* fn : {"configure", "expand"}) {
    int t = RawField(L, index, fn);
    lua_pop(L, 1);
    if (t != LUA_TNIL && t != LUA_TFUNCTION)
      return err.At(fn, "", std::string("'") + fn + "' must be a function");
    if (std::string(fn) == "expand") out->has_expand = t == LUA_TFUNCTION;
  }
  if (RawField(L, index, "config") != LUA_TNIL) {
    bool ok = ToValue(L, -1, &v, &why);
    lua_pop(L, 1);
    if (!ok) return err.At("config", "", "config: " + why);
    Status s = ReadAttributes(v, "the config of " + info.name, "config", err, &out->config);
    if (!s.ok()) return s;
  } else {
    lua_pop(L, 1);
  }
  int rt = RawField(L, index, "resources");
  if (rt == LUA_TNIL) {
    lua_pop(L, 1);
    return Status::Ok();
  }
  if (rt != LUA_TTABLE) {
    lua_pop(L, 1);
    return err.At("resources", "", "resources must be a table of resource types");
  }
  int resources = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, resources) != 0) {
    std::string name = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    if (!IsIdentifier(name) || lua_type(L, -1) != LUA_TTABLE) {
      lua_pop(L, 3);
      return err.At(name, "resources",
                    "resources." + name + " must be a table, keyed by a valid type name");
    }
    Status s = ReadResource(L, lua_gettop(L), name, err, out);
    lua_pop(L, 1);
    if (!s.ok()) {
      lua_pop(L, 2);
      return s;
    }
  }
  lua_pop(L, 1);
  return Status::Ok();
}

Status ApplyConfigSchema(const ProviderSchema& schema, const Value& config, Value* result) {
  std::string prefix = "providers." + schema.name;
  auto where = [&](const Value& v) {
    std::string loc = SourceFiles::Format(v.loc);
    return loc.empty() ? std::string() : loc + ": ";
  };
  if (!config.is_null() && !config.is_map())
    return Status::Error(where(config) + prefix + " must be a map of settings, got " +
                         LuaTypeName(config));
  Value out = Value::EmptyMap();
  out.loc = config.loc;
  std::vector<std::string> names;
  for (const auto& [name, attr] : schema.config) names.push_back(name);
  names.push_back("insecure_endpoints");
  if (config.is_map()) {
    for (const auto& [key, v] : config.AsMap()) {
      auto it = schema.config.find(key);
      if (it == schema.config.end()) {
        if (key == "insecure_endpoints") {
          bool ok = v.is_list();
          if (ok)
            for (const Value& item : v.AsList()) ok = ok && item.is_string();
          if (!ok)
            return Status::Error(where(v) + prefix +
                                 ".insecure_endpoints must be a list of URL "
                                 "prefixes");
          out[key] = v;
          continue;
        }
        std::string dym = DidYouMean(key, names);
        return Status::Error(
            where(v) + prefix + ": unknown setting '" + key + "'",
            dym.empty() ? "settings of " + schema.name + ": " + Joined(names) : dym);
      }
      Value item = v;
      if (!NormalizeToType(&item, it->second.type))
        return Status::Error(where(v) + prefix + "." + key + " is " + LuaTypeName(v) +
                             ", expected " + provider::AttrTypeName(it->second.type));
      if (it->second.sensitive) item.sensitive = true;
      out[key] = std::move(item);
    }
  }
  for (const auto& [name, attr] : schema.config) {
    if (out.Find(name) != nullptr && !out.Find(name)->is_null()) continue;
    if (attr.required)
      return Status::Error(where(config) + prefix + "." + name + " is required",
                           attr.description.empty() ? "" : name + ": " + attr.description);
    if (!attr.default_value.is_null()) {
      Value d = attr.default_value;
      if (attr.sensitive) d.sensitive = true;
      out[name] = std::move(d);
    }
  }
  *result = std::move(out);
  return Status::Ok();
}

}  // namespace cairn::lua
