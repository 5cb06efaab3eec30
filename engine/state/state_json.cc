// StateToJson: the state file's text written in parts, the resources of a large state side by
// side on the thread pool.
#include <algorithm>
#include <iterator>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "engine/base/json.h"
#include "engine/base/task_group.h"
#include "engine/state/state.h"

namespace cairn::state {
namespace {

// Fewer resources than this are written on the calling thread: a thread costs more than them.
constexpr size_t kResourcesPerPart = 256;

using ResourceIt = std::map<std::string, ResourceState>::const_iterator;

void NewLine(int indent, int depth, std::string* out) {
  if (indent < 0) return;
  *out += '\n';
  out->append(static_cast<size_t>(depth) * static_cast<size_t>(indent), ' ');
}

// Appends the entries [begin, end) of the "resources" list, each preceded by its separator
// (`first` says whether the list's first entry is among them), and their values to *values
// from `at` on. False on invalid UTF-8.
bool AppendResources(ResourceIt begin, ResourceIt end, bool first, int indent, std::string* out,
                     Value::List* values, size_t at) {
  for (ResourceIt it = begin; it != end; ++it, ++at) {
    if (!first) *out += ',';
    first = false;
    NewLine(indent, 2, out);
    Value& v = (*values)[at];
    v = ResourceToValue(it->second);
    if (!AppendJson(v, indent, 2, out)) return false;
  }
  return true;
}

// The "resources" list's entries, written in parts side by side and joined in order.
bool AppendAllResources(const State& s, int indent, std::string* out, Value::List* values) {
  size_t n = s.resources.size();
  values->resize(n);
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t parts = std::min(cores, std::max<size_t>(1, n / kResourcesPerPart));
  if (parts == 1)
    return AppendResources(s.resources.begin(), s.resources.end(), true, indent, out, values, 0);
  std::vector<ResourceIt> bounds;
  std::vector<size_t> starts;
  ResourceIt it = s.resources.begin();
  for (size_t p = 0, at = 0; p < parts; ++p) {
    bounds.push_back(it);
    starts.push_back(at);
    size_t count = n / parts + (p < n % parts ? 1 : 0);
    std::advance(it, count);
    at += count;
  }
  bounds.push_back(s.resources.end());
  std::vector<std::string> texts(parts);
  std::vector<char> ok(parts, 0);
  {
    TaskGroup helpers;
    for (size_t p = 1; p < parts; ++p) {
      auto part = [&, p] {
        ok[p] =
            AppendResources(bounds[p], bounds[p + 1], false, indent, &texts[p], values, starts[p]);
      };
      try {
        helpers.Start(part);
      } catch (const std::system_error&) {
        part();  // no spare thread: the state is written all the same, here
      }
    }
    ok[0] = AppendResources(bounds[0], bounds[1], true, indent, out, values, 0);
    helpers.Wait();
  }
  for (size_t p = 1; p < parts; ++p) {
    if (!ok[0] || !ok[p]) return false;
    *out += texts[p];
  }
  return ok[0] != 0;
}

void AppendKey(const char* key, bool first, int indent, std::string* out) {
  if (!first) *out += ',';
  NewLine(indent, 1, out);
  *out += '"';
  *out += key;
  *out += indent < 0 ? "\":" : "\": ";
}

}  // namespace

std::string StateToJson(const State& s, int indent, Value::List* resources) {
  Value::List unused;
  if (resources == nullptr) resources = &unused;
  resources->clear();
  // The members in the order of StateToValue's map (sorted by name).
  std::string out = "{";
  AppendKey("format_version", true, indent, &out);
  out += std::to_string(State::kFormatVersion);
  AppendKey("history", false, indent, &out);
  bool ok = AppendJson(s.history.is_list() ? s.history : Value::EmptyList(), indent, 1, &out);
  AppendKey("lineage", false, indent, &out);
  ok = ok && AppendJson(Value(s.lineage), indent, 1, &out);
  AppendKey("resources", false, indent, &out);
  if (s.resources.empty()) {
    out += "[]";
  } else {
    out += '[';
    ok = ok && AppendAllResources(s, indent, &out, resources);
    NewLine(indent, 1, &out);
    out += ']';
  }
  AppendKey("serial", false, indent, &out);
  out += std::to_string(static_cast<int64_t>(s.serial));
  NewLine(indent, 0, &out);
  out += '}';
  if (ok) return out;
  // A string that is not UTF-8: the whole document's replacement rules decide.
  Value whole = StateToValue(s);
  *resources = whole.Find("resources")->AsList();
  return DumpJson(whole, indent);
}

}  // namespace cairn::state
