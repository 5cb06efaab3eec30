// ResolveSecrets: turns env:/file: references into sensitive values.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/blueprint/blueprint.h"
#include "engine/blueprint/json_schema.h"

namespace cairn::blueprint {
namespace {

const char kLiteralHint[] = "store it in an environment variable and write env:NAME";

bool ReadSecretFile(const std::string& path, std::string* out, std::string* err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *err = std::strerror(errno);
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  // Editors end files with a newline; a key or password never does.
  if (!out->empty() && out->back() == '\n') out->pop_back();
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return true;
}

}  // namespace

Value ResolveSecrets(const Blueprint& bp, Diagnostics* diags) {
  Value out = Value::EmptyMap();
  const Value* secrets = bp.root.Find("secrets");
  if (!secrets || !secrets->is_map()) return out;
  for (const auto& [name, ref] : secrets->AsMap()) {
    std::string path = PathForKey("secrets", name);
    if (!ref.is_string()) {
      diags->Error(
          ref.loc, path,
          "expected a reference such as env:NAME or file:PATH, got " + std::string(ref.kind_name()),
          kLiteralHint);
      continue;
    }
    const std::string& text = ref.AsString();
    Value resolved;
    if (text.rfind("env:", 0) == 0 && text.size() > 4) {
      std::string var = text.substr(4);
      const char* value = std::getenv(var.c_str());
      if (!value) {
        diags->Error(ref.loc, path, "environment variable '" + var + "' is not set",
                     "export " + var + "=... before running cairn");
        continue;
      }
      resolved = Value(std::string(value));
    } else if (text.rfind("file:", 0) == 0 && text.size() > 5) {
      std::filesystem::path file(text.substr(5));
      if (file.is_relative()) file = std::filesystem::path(bp.dir) / file;
      std::string content, err;
      if (!ReadSecretFile(file.string(), &content, &err)) {
        diags->Error(ref.loc, path, "cannot read secret file '" + file.string() + "': " + err,
                     "file: paths are relative to the blueprint's directory");
        continue;
      }
      resolved = Value(std::move(content));
    } else {
      // Never echo the text: it is probably the secret itself.
      diags->Error(ref.loc, path, "secret '" + name + "' is written literally in the blueprint",
                   kLiteralHint);
      continue;
    }
    resolved.sensitive = true;
    resolved.loc = ref.loc;
    out[name] = std::move(resolved);
  }
  return out;
}

}  // namespace cairn::blueprint
