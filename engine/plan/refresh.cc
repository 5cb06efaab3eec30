#include "engine/plan/refresh.h"

#include <algorithm>
#include <map>
#include <optional>

#include "engine/base/edit_distance.h"
#include "engine/plan/parallel.h"

namespace cairn::plan {
namespace {

// Used when a type does not declare its own timeout.
constexpr double kDefaultTimeoutSeconds = 600;

// One unit of refresh work: a batch for a whole type, or a single resource.
struct Task {
  provider::Provider* provider = nullptr;
  const provider::ResourceType* type = nullptr;
  std::vector<const state::ResourceState*> members;
  bool batch = false;
  std::string id_parent;  // what the ids of a batch read by id parent share ("" otherwise)
  // Filled by the worker.
  Status status;
  std::vector<std::optional<Value>> found;  // per member
};

void RunTask(Task* t) {
  if (t->batch) {
    std::vector<Value> priors;
    priors.reserve(t->members.size());
    for (const state::ResourceState* r : t->members) priors.push_back(r->attributes);
    Result<std::map<std::string, Value>> all =
        t->provider->ReadAll(ContextFor("", t->type), t->type->name, std::move(priors));
    if (!all.ok()) {
      t->status = all.status();
      return;
    }
    t->found.resize(t->members.size());
    for (size_t i = 0; i < t->members.size(); ++i) {
      auto it = all->find(t->members[i]->id);
      if (it != all->end()) t->found[i] = std::move(it->second);
    }
    return;
  }
  const state::ResourceState* r = t->members[0];
  Result<std::optional<Value>> one =
      t->provider->Read(ContextFor(r->address, t->type), t->type->name, r->attributes);
  if (!one.ok()) {
    t->status = one.status();
    return;
  }
  t->found.push_back(std::move(*one));
}

}  // namespace

provider::CallContext ContextFor(const std::string& address, const provider::ResourceType* type,
                                 const std::atomic<bool>* cancelled) {
  provider::CallContext ctx;
  ctx.address = address;
  double seconds =
      type != nullptr && type->timeout_seconds > 0 ? type->timeout_seconds : kDefaultTimeoutSeconds;
  ctx.deadline = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(seconds));
  ctx.cancelled = cancelled;
  return ctx;
}

std::vector<std::string> SensitivePathsOf(const provider::ResourceType* type, const Value& attrs,
                                          const std::vector<std::string>& extra) {
  std::vector<std::string> out = extra;
  if (type != nullptr)
    for (const auto& [name, attr] : type->attributes)
      if (attr.sensitive && attrs.Find(name) != nullptr) out.push_back(name);
  for (std::string& p : state::SensitivePaths(attrs)) out.push_back(std::move(p));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

RefreshResult Refresh(const state::State& prior, provider::Registry& providers, int parallelism,
                      Diagnostics* diags) {
  RefreshResult result;
  result.refreshed = prior;
  std::vector<Task> tasks;
  std::map<std::string, size_t> batch_of_type;  // "type" or "type\nid parent" -> task
  for (const auto& [address, r] : prior.resources) {
    provider::Provider* p = providers.Find(r.provider);
    if (p == nullptr) {
      Diagnostic d;
      d.summary = address + " is in the state, but its provider '" + r.provider +
                  "' is not loaded, so cairn cannot read, change or delete it";
      d.hint = "add the '" + r.provider +
               "' provider to the blueprint (or install its plugin) and run plan again";
      d.address = address;
      diags->Add(std::move(d));
      continue;
    }
    const provider::ResourceType* type = providers.FindType(r.type);
    if (type == nullptr) {
      Diagnostic d;
      d.summary = address + " is in the state with type '" + r.type + "', which provider '" +
                  r.provider + "' does not declare";
      std::string guess = DidYouMean(r.type, providers.TypeNames());
      d.hint = guess.empty() ? "the plugin may differ from the one that created it" : guess;
      d.address = address;
      diags->Add(std::move(d));
      continue;
    }
    if (type->has_read_all) {
      // One batch per type, or per id parent where the type asks for it (see ResourceType).
      std::string batch = r.type;
      std::string id_parent;
      if (type->read_all_by_id_parent) {
        size_t slash = r.id.rfind('/');
        id_parent.assign(r.id, 0, slash == std::string::npos ? 0 : slash);
        batch.append("\n").append(id_parent);
      }
      auto [it, inserted] = batch_of_type.emplace(std::move(batch), tasks.size());
      if (inserted) {
        tasks.emplace_back();
        tasks.back().provider = p;
        tasks.back().type = type;
        tasks.back().batch = true;
        tasks.back().id_parent = std::move(id_parent);
      }
      tasks[it->second].members.push_back(&r);
      continue;
    }
    tasks.emplace_back();
    tasks.back().provider = p;
    tasks.back().type = type;
    tasks.back().members.push_back(&r);
  }

  ParallelFor(tasks.size(), parallelism, [&](size_t i) { RunTask(&tasks[i]); });

  for (Task& t : tasks) {
    if (!t.status.ok()) {
      // One failed batch read is one problem, however many resources it covered.
      Diagnostic d;
      d.hint = t.status.hint();
      if (t.batch && t.members.size() > 1) {
        // Read by id parent, each group fails on its own: say which one.
        std::string which = t.id_parent.empty() ? "" : " with ids under " + t.id_parent + "/";
        d.summary = "reading " + std::to_string(t.members.size()) + " " + t.type->name +
                    " resources" + which + " failed: " + t.status.message();
      } else {
        d.summary = "read: " + t.status.message();
        d.address = t.members[0]->address;
      }
      diags->Add(std::move(d));
      continue;
    }
    for (size_t i = 0; i < t.members.size(); ++i) {
      const state::ResourceState& r = *t.members[i];
      // The prior attributes with their sensitive marks; copied only when drift needs them
      // (without recorded paths, marking changes nothing, so the paths come from the original).
      auto marked_before = [&r] {
        Value before = r.attributes;
        state::MarkSensitive(&before, r.sensitive_paths);
        return before;
      };
      std::vector<std::string> paths =
          r.sensitive_paths.empty() ? SensitivePathsOf(t.type, r.attributes, r.sensitive_paths)
                                    : SensitivePathsOf(t.type, marked_before(), r.sensitive_paths);
      if (!t.found[i].has_value()) {
        result.gone.push_back(r.address);
        result.drift.push_back(Drift{r.address, marked_before(), Value(), std::move(paths)});
        result.refreshed.resources.erase(r.address);
        continue;
      }
      Value now = std::move(*t.found[i]);
      if (now.Find("id") == nullptr) now["id"] = r.id;
      state::MarkSensitive(&now, paths);
      state::ResourceState& out = result.refreshed.resources[r.address];
      if (now.Find("id")->is_string()) out.id = now.Find("id")->AsString();
      if (now != r.attributes) {
        paths = SensitivePathsOf(t.type, now, paths);
        result.drift.push_back(Drift{r.address, marked_before(), now, paths});
      }
      out.attributes = std::move(now);
      out.sensitive_paths = std::move(paths);
    }
  }
  std::sort(result.drift.begin(), result.drift.end(),
            [](const Drift& a, const Drift& b) { return a.address < b.address; });
  std::sort(result.gone.begin(), result.gone.end());
  return result;
}

}  // namespace cairn::plan
