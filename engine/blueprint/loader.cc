// YAML -> Value with positions. yaml-cpp exceptions are caught in this file and nowhere else.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "engine/blueprint/block_yaml.h"
#include "engine/blueprint/blueprint.h"
#include "engine/blueprint/json_schema.h"
#include "engine/blueprint/yaml_scalar.h"

namespace cairn::blueprint {
namespace {

// yaml-cpp marks are 0-based and -1 when absent; SourceLoc is 1-based. The only conversion.
SourceLoc ToLoc(uint32_t file, const YAML::Mark& mark) {
  SourceLoc loc;
  loc.file = file;
  loc.line = mark.line < 0 ? 1 : static_cast<uint32_t>(mark.line) + 1;
  loc.col = mark.column < 0 ? 1 : static_cast<uint32_t>(mark.column) + 1;
  return loc;
}

/// One step of the path to the node being converted; rendered to "apps[2].image" only when a
/// diagnostic needs it, as building strings for every node would dominate large files.
struct PathLink {
  const PathLink* parent = nullptr;
  std::string_view key;
  size_t index = 0;
  bool is_index = false;

  std::string Render() const {
    if (!parent) return "";
    std::string up = parent->Render();
    return is_index ? PathIndex(up, index) : PathForKey(up, key);
  }
};

/// Turns a yaml-cpp node tree into a Value tree, recording positions and duplicate keys.
class Converter {
 public:
  Converter(uint32_t file, KeyLocations* keys, Diagnostics* diags)
      : file_(file), keys_(keys), diags_(diags) {}

  Value Convert(const YAML::Node& node, const PathLink& path);

 private:
  Value ConvertScalar(const YAML::Node& node, const PathLink& path);
  Value ConvertMap(const YAML::Node& node, const PathLink& path);
  void Merge(const Value& source, const YAML::Node& where, const PathLink& path, Value* into);

  uint32_t file_;
  KeyLocations* keys_;
  Diagnostics* diags_;
};

Value Converter::ConvertScalar(const YAML::Node& node, const PathLink& path) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  SourceLoc loc = ToLoc(file_, node.Mark());
  Value v;
  if (tag == "!" || tag == "tag:yaml.org,2002:str") {
    v = Value(text);  // quoted or block scalars, and !!str, are always strings
  } else if (tag == "?" || tag.empty()) {
    v = ResolvePlainScalar(text);
  } else if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float") {
    bool ok = tag == "tag:yaml.org,2002:int" ? ParseYamlInt(text, &v) && v.is_int()
                                             : ParseYamlInt(text, &v) || ParseYamlFloat(text, &v);
    if (!ok) {
      diags_->Error(loc, path.Render(), "'" + text + "' is not a valid " + tag.substr(18),
                    "remove the tag or write a number");
      v = Value(text);
    } else if (tag == "tag:yaml.org,2002:float" && v.is_int()) {
      v = Value(static_cast<double>(v.AsInt()));
    }
  } else if (tag == "tag:yaml.org,2002:bool") {
    v = ResolvePlainScalar(text);
    if (!v.is_bool()) {
      diags_->Error(loc, path.Render(), "'" + text + "' is not a valid bool",
                    "write true or false");
      v = Value(text);
    }
  } else if (tag == "tag:yaml.org,2002:null") {
    v = Value();
  } else {
    diags_->Error(loc, path.Render(), "unsupported YAML tag '" + tag + "'",
                  "blueprints use plain YAML values; remove the tag");
    v = Value(text);
  }
  v.loc = loc;
  return v;
}

void Converter::Merge(const Value& source, const YAML::Node& where, const PathLink& path,
                      Value* into) {
  if (source.is_list()) {
    for (const Value& item : source.AsList()) Merge(item, where, path, into);
    return;
  }
  if (!source.is_map()) {
    diags_->Error(ToLoc(file_, where.Mark()), path.Render(),
                  "merge key '<<' needs a mapping or a list of "
                  "mappings",
                  "write '<<: *anchor' where the anchor names a mapping");
    return;
  }
  for (const auto& [key, child] : source.AsMap())
    if (!into->Find(key)) (*into)[key] = child;  // explicit keys win over merged ones
}

Value Converter::ConvertMap(const YAML::Node& node, const PathLink& path) {
  Value out = Value::EmptyMap();
  out.loc = ToLoc(file_, node.Mark());
  std::vector<std::pair<Value, YAML::Node>> merges;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value_node = it->second;
    SourceLoc key_loc = ToLoc(file_, key_node.Mark());
    if (!key_node.IsScalar()) {
      diags_->Error(key_loc, path.Render(), "mapping keys must be plain strings",
                    "a key cannot be a list or a mapping");
      continue;
    }
    const std::string& key = key_node.Scalar();
    PathLink child_path{&path, key};
    if (key == "<<" && key_node.Tag() == "?") {
      merges.emplace_back(Convert(value_node, child_path), value_node);
      continue;
    }
    if (const Value* first = out.Find(key)) {
      SourceLoc first_loc = keys_->Get(first);
      diags_->Error(key_loc, path.Render(), "duplicate key '" + key + "'",
                    "'" + key + "' is already set on line " + std::to_string(first_loc.line) +
                        "; remove one of them");
      continue;
    }
    Value child = Convert(value_node, child_path);
    // An empty value ("key:" then a newline) gets yaml-cpp's mark of the next token; point at
    // the key instead, which is where the user looks.
    if (child.is_null() &&
        (value_node.Mark().line != key_node.Mark().line || value_node.Mark().line < 0))
      child.loc = key_loc;
    Value& slot = out[key];
    slot = std::move(child);
    keys_->Set(&slot, key_loc);
  }
  for (const auto& [merged, where] : merges) Merge(merged, where, path, &out);
  return out;
}

Value Converter::Convert(const YAML::Node& node, const PathLink& path) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return ConvertScalar(node, path);
    case YAML::NodeType::Map: return ConvertMap(node, path);
    case YAML::NodeType::Sequence: {
      Value out = Value::EmptyList();
      out.loc = ToLoc(file_, node.Mark());
      size_t i = 0;
      for (auto it = node.begin(); it != node.end(); ++it, ++i)
        out.Push(Convert(*it, PathLink{&path, {}, i, true}));
      return out;
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
    default: {
      Value out;
      out.loc = ToLoc(file_, node.Mark());
      return out;
    }
  }
}

std::string AbsoluteDir(const std::string& name) {
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(std::filesystem::path(name), ec);
  if (ec) return ".";
  return abs.lexically_normal().parent_path().string();
}

}  // namespace

bool LoadString(const std::string& name, const std::string& text, Blueprint* out,
                Diagnostics* diags, YamlReader reader) {
  out->path = name;
  out->dir = AbsoluteDir(name);
  out->root = Value();
  out->key_locs.Clear();
  uint32_t file = SourceFiles::Add(name, text);
  if (reader == YamlReader::kAuto) {
    Value root;
    KeyLocations keys;
    if (ReadBlockYaml(text, file, &root, &keys)) {
      out->root = std::move(root);
      out->key_locs = std::move(keys);
      return true;
    }
  }
  size_t errors_before = diags->error_count();
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    diags->Error(ToLoc(file, e.mark), "", "YAML syntax error: " + e.msg,
                 "check the indentation and quoting around this line");
    return false;
  } catch (const YAML::Exception& e) {
    diags->Error(ToLoc(file, e.mark), "", "cannot read YAML: " + e.msg);
    return false;
  }
  if (docs.size() > 1) {
    diags->Error(ToLoc(file, docs[1].Mark()), "", "a blueprint is a single YAML document",
                 "remove the '---' separator and merge the documents");
  }
  Converter converter(file, &out->key_locs, diags);
  try {
    if (!docs.empty()) out->root = converter.Convert(docs[0], PathLink{});
  } catch (const YAML::Exception& e) {
    diags->Error(ToLoc(file, e.mark), "", "cannot read YAML: " + e.msg);
    return false;
  }
  if (!out->root.loc.valid()) out->root.loc = SourceLoc{file, 1, 1};
  return diags->error_count() == errors_before;
}

bool LoadFile(const std::string& path, Blueprint* out, Diagnostics* diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Diagnostic d;
    d.summary = "cannot read blueprint '" + path + "': " + std::strerror(errno);
    d.hint = "check the path; by default cairn reads blueprint.yaml in the current directory";
    diags->Add(std::move(d));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return LoadString(path, text.str(), out, diags);
}

}  // namespace cairn::blueprint
