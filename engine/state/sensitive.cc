// Attribute paths of sensitive values: how they are written, found and re-applied.
#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "engine/state/state.h"

namespace cairn::state {
namespace {

// One step of a path: a map key or a list index.
using Step = std::variant<std::string, size_t>;

bool NeedsQuoting(const std::string& key) {
  return key.empty() || key.find_first_of(".[]\"\\") != std::string::npos;
}

// Appends `key` to `path` as one step, quoted when it holds path syntax.
void AppendKey(std::string* path, const std::string& key) {
  if (!NeedsQuoting(key)) {
    if (!path->empty()) *path += '.';
    *path += key;
    return;
  }
  *path += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') *path += '\\';
    *path += c;
  }
  *path += "\"]";
}

// Parses "a.b[2][\"x.y\"]" into steps; false on malformed input.
bool ParsePath(const std::string& path, std::vector<Step>* steps) {
  size_t i = 0;
  const size_t n = path.size();
  while (i < n) {
    if (path[i] == '[') {
      ++i;
      if (i < n && path[i] == '"') {
        ++i;
        std::string key;
        while (i < n && path[i] != '"') {
          if (path[i] == '\\' && i + 1 < n) ++i;
          key += path[i++];
        }
        if (i + 1 >= n || path[i] != '"' || path[i + 1] != ']') return false;
        i += 2;
        steps->emplace_back(std::move(key));
      } else {
        size_t start = i;
        while (i < n && path[i] >= '0' && path[i] <= '9') ++i;
        if (i == start || i >= n || path[i] != ']') return false;
        steps->emplace_back(static_cast<size_t>(std::stoull(path.substr(start, i - start))));
        ++i;
      }
    } else {
      if (path[i] == '.') {
        if (steps->empty()) return false;
        ++i;
      }
      size_t start = i;
      while (i < n && path[i] != '.' && path[i] != '[') ++i;
      if (i == start) return false;
      steps->emplace_back(path.substr(start, i - start));
    }
  }
  return true;
}

// Whether `v` or a value inside it is sensitive; most attributes have none, and this walk
// allocates nothing.
bool HasSensitive(const Value& v) {
  if (v.sensitive) return true;
  if (v.is_map()) {
    for (const auto& [k, item] : v.AsMap())
      if (HasSensitive(item)) return true;
  } else if (v.is_list()) {
    for (const Value& item : v.AsList())
      if (HasSensitive(item)) return true;
  }
  return false;
}

// Adds the paths of the sensitive values in `v`, which is at `*path`; the path is extended
// in place and restored, so only paths that are kept are copied.
void Collect(const Value& v, std::string* path, std::vector<std::string>* out) {
  if (v.sensitive) {
    out->push_back(*path);
    return;
  }
  const size_t length = path->size();
  if (v.is_map()) {
    for (const auto& [k, item] : v.AsMap()) {
      if (!HasSensitive(item)) continue;
      AppendKey(path, k);
      Collect(item, path, out);
      path->resize(length);
    }
  } else if (v.is_list()) {
    const Value::List& list = v.AsList();
    for (size_t i = 0; i < list.size(); ++i) {
      if (!HasSensitive(list[i])) continue;
      *path += '[';
      *path += std::to_string(i);
      *path += ']';
      Collect(list[i], path, out);
      path->resize(length);
    }
  }
}

}  // namespace

void MarkSensitive(Value* attributes, const std::vector<std::string>& paths) {
  for (const std::string& path : paths) {
    std::vector<Step> steps;
    if (!ParsePath(path, &steps)) continue;
    Value* v = attributes;
    for (const Step& step : steps) {
      if (v == nullptr) break;
      if (const std::string* key = std::get_if<std::string>(&step)) {
        v = v->FindMutable(*key);
      } else {
        size_t index = std::get<size_t>(step);
        v = v->is_list() && index < v->size() ? &v->MutableList()[index] : nullptr;
      }
    }
    if (v != nullptr) v->sensitive = true;
  }
}

std::vector<std::string> SensitivePaths(const Value& attributes) {
  std::vector<std::string> out;
  if (!HasSensitive(attributes)) return out;
  std::string path;
  Collect(attributes, &path, &out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cairn::state
