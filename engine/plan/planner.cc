#include "engine/plan/planner.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "engine/base/edit_distance.h"
#include "engine/graph/graph.h"
#include "engine/graph/refs.h"
#include "engine/plan/parallel.h"
#include "engine/plan/refresh.h"

namespace cairn::plan {
namespace {

// The attributes a new object will have: the configuration, with computed ones unknown.
Value CreateAfter(const std::string& address, const provider::ResourceType& type,
                  const Value& proposed) {
  Value after = Value::EmptyMap();
  if (proposed.is_map())
    for (const auto& [k, v] : proposed.AsMap())
      if (!v.is_null()) after[k] = v;
  for (const auto& [name, attr] : type.attributes)
    if (attr.computed && after.Find(name) == nullptr)
      after[name] = Value::Unknown(address + "." + name);
  if (after.Find("id") == nullptr) after["id"] = Value::Unknown(address + ".id");
  return after;
}

// Levels with fewer resources than this are planned on the calling thread.
constexpr size_t kParallelPlanLevel = 32;

bool Differs(const Value* before, const Value& after) {
  return after.ContainsUnknown() || before == nullptr || *before != after;
}

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

// Holds everything one MakePlan call works on.
class Planner {
 public:
  Planner(const std::vector<provider::DesiredResource>& desired, provider::Registry& providers,
          const PlanOptions& opts, Diagnostics* diags)
      : desired_(desired), providers_(providers), opts_(opts), diags_(diags) {}
  Planner(const Planner&) = delete;
  Planner& operator=(const Planner&) = delete;

  Plan Run(const state::State& prior);

 private:
  // Indexes the desired resources and links them by depends_on and references. False on a cycle.
  bool BuildGraph(std::vector<std::string>* order);
  // Plans the change of one desired resource into `out` (false: none, an error is in `diags`).
  // Thread-safe: it reads only the refreshed state and the changes of earlier levels.
  bool DiffDesired(const provider::DesiredResource& d, ResourceChange* out, Diagnostics* diags);
  // Runs DiffDesired for `order`, level by level (a level's resources do not depend on one
  // another, so their provider calls run in parallel), then adds the changes in `order`.
  void DiffAll(const std::vector<std::string>& order);
  void PlanDeletes();
  // Keeps only the targets and what they wait for (transitively through depends_on).
  void KeepTargets();
  void OrderChanges();
  // Reports a provider's failure to plan `d`.
  static void PlanFailed(const provider::DesiredResource& d, const Status& s, Diagnostics* diags);
  const Value* Lookup(const std::string& address) const;
  void Add(ResourceChange c) {
    index_[c.address] = plan_.changes.size();
    plan_.changes.push_back(std::move(c));
  }

  const std::vector<provider::DesiredResource>& desired_;
  provider::Registry& providers_;
  const PlanOptions& opts_;
  Diagnostics* diags_;
  Plan plan_;
  std::set<std::string> gone_;
  std::unordered_map<std::string, const provider::DesiredResource*> by_address_;
  graph::Graph graph_;
  std::unordered_map<std::string, size_t> index_;  // address -> position in plan_.changes
  // While DiffAll runs: the changes planned in earlier levels, for references to them.
  std::unordered_map<std::string, const ResourceChange*> planned_;
};

Plan Planner::Run(const state::State& prior) {
  plan_.destroy = opts_.destroy;
  Diagnostics refresh_diags;
  if (opts_.refresh) {
    RefreshResult r = Refresh(prior, providers_, opts_.parallelism, &refresh_diags);
    plan_.refreshed = std::move(r.refreshed);
    plan_.drift = std::move(r.drift);
    gone_.insert(r.gone.begin(), r.gone.end());
  } else {
    plan_.refreshed = prior;
    for (auto& [address, r] : plan_.refreshed.resources) {
      state::MarkSensitive(&r.attributes, r.sensitive_paths);
    }
  }
  if (opts_.before_diff && !opts_.before_diff()) return std::move(plan_);
  diags_->Append(refresh_diags);
  if (opts_.refresh_only) return std::move(plan_);
  plan_.changes.reserve(desired_.size() + plan_.refreshed.resources.size());
  if (!opts_.destroy) {
    std::vector<std::string> order;
    if (!BuildGraph(&order)) return std::move(plan_);
    DiffAll(order);
  }
  PlanDeletes();
  if (!opts_.targets.empty()) KeepTargets();
  OrderChanges();
  return std::move(plan_);
}

void Planner::KeepTargets() {
  std::set<std::string> keep;
  std::vector<std::string> todo;
  for (const std::string& t : opts_.targets) {
    if (index_.count(t) != 0) {
      todo.push_back(t);
      continue;
    }
    if (by_address_.count(t) != 0 || plan_.refreshed.resources.count(t) != 0) continue;
    std::vector<std::string> known;
    for (const auto& [a, i] : index_) known.push_back(a);
    Diagnostic d;
    d.summary = "target '" + t + "' is neither in the blueprint nor in the state";
    d.hint = DidYouMean(t, known);
    if (d.hint.empty()) d.hint = "a target is a resource address, e.g. local.file.motd";
    diags_->Add(std::move(d));
  }
  while (!todo.empty()) {
    std::string a = std::move(todo.back());
    todo.pop_back();
    if (!keep.insert(a).second) continue;
    auto it = index_.find(a);
    if (it == index_.end()) continue;
    for (const std::string& dep : plan_.changes[it->second].depends_on) todo.push_back(dep);
  }
  std::vector<ResourceChange> kept;
  for (ResourceChange& c : plan_.changes)
    if (keep.count(c.address) != 0) kept.push_back(std::move(c));
  plan_.changes = std::move(kept);
  index_.clear();
  for (size_t i = 0; i < plan_.changes.size(); ++i) index_[plan_.changes[i].address] = i;
  std::erase_if(plan_.drift, [&](const Drift& d) { return keep.count(d.address) == 0; });
}

bool Planner::BuildGraph(std::vector<std::string>* order) {
  for (const provider::DesiredResource& d : desired_) {
    if (!by_address_.emplace(d.address, &d).second) {
      diags_->Error(d.loc, "", d.address + " is declared twice",
                    "resource addresses must be unique; rename one of them");
      continue;
    }
    graph_.AddNode(d.address);
  }
  auto candidates = [&] {
    std::vector<std::string> out;
    for (const auto& [a, d] : by_address_) out.push_back(a);
    return out;
  };
  for (const provider::DesiredResource& d : desired_) {
    for (const std::string& dep : d.depends_on) {
      if (by_address_.count(dep) == 0) {
        diags_->Error(
            d.loc, "",
            d.address + ": depends_on names '" + dep + "', which the blueprint does not declare",
            DidYouMean(dep, candidates()));
        continue;
      }
      graph_.AddEdge(d.address, dep);
    }
    std::vector<graph::Reference> refs;
    Diagnostics malformed;  // reported when the reference is resolved
    graph::FindReferences(d.attributes, &refs, &malformed);
    for (const graph::Reference& ref : refs) {
      if (by_address_.count(ref.address) == 0) {
        Diagnostic diag;
        diag.loc = ref.loc.valid() ? ref.loc : d.loc;
        diag.address = d.address;
        diag.summary = "reference '${" + ref.text + "}' names '" + ref.address +
                       "', which the blueprint does not declare";
        diag.hint = DidYouMean(ref.address, candidates());
        diags_->Add(std::move(diag));
        continue;
      }
      graph_.AddEdge(d.address, ref.address);
    }
  }
  std::vector<std::string> cycle;
  if (graph_.TopologicalOrder(order, &cycle)) return true;
  const provider::DesiredResource* first = by_address_.at(cycle.front());
  Diagnostic diag;
  diag.loc = first->loc;
  diag.address = first->address;
  diag.summary = "dependency cycle: " + graph::FormatCycle(cycle);
  diag.hint = "remove one of these references or depends_on entries to break the cycle";
  diags_->Add(std::move(diag));
  return false;
}

void Planner::PlanFailed(const provider::DesiredResource& d, const Status& s, Diagnostics* diags) {
  Diagnostic diag;
  diag.summary = "plan: " + s.message();
  diag.hint = s.hint();
  diag.address = d.address;
  diag.loc = d.loc;
  // A provider that names the attribute at fault gets the user pointed at where it was written.
  if (!s.path().empty()) {
    diag.path = s.path();
    const Value* at = graph::FindPath(d.attributes, s.path());
    if (at != nullptr && at->loc.valid()) diag.loc = at->loc;
  }
  diags->Add(std::move(diag));
}

const Value* Planner::Lookup(const std::string& address) const {
  auto it = planned_.find(address);
  if (it == planned_.end()) return nullptr;
  const ResourceChange& c = *it->second;
  return c.action == Action::kNoOp ? &c.before : &c.after;
}

void Planner::DiffAll(const std::vector<std::string>& order) {
  // A resource's level is one more than its deepest dependency's.
  std::unordered_map<std::string, size_t> level_of;
  std::vector<std::vector<size_t>> levels;
  for (size_t i = 0; i < order.size(); ++i) {
    size_t level = 0;
    for (const std::string& dep : graph_.Dependencies(order[i])) {
      auto it = level_of.find(dep);
      if (it != level_of.end()) level = std::max(level, it->second + 1);
    }
    level_of[order[i]] = level;
    if (levels.size() <= level) levels.resize(level + 1);
    levels[level].push_back(i);
  }
  struct Planned {
    bool made = false;
    ResourceChange change;
    Diagnostics diags;
  };
  std::vector<Planned> planned(order.size());
  // More threads than cores would only add Lua VMs; small levels are not worth a thread.
  const int threads = std::max(
      1, std::min(opts_.parallelism, static_cast<int>(std::thread::hardware_concurrency())));
  for (const std::vector<size_t>& level : levels) {
    ParallelFor(level.size(), level.size() >= kParallelPlanLevel ? threads : 1, [&](size_t k) {
      Planned& p = planned[level[k]];
      p.made = DiffDesired(*by_address_.at(order[level[k]]), &p.change, &p.diags);
    });
    for (size_t i : level)
      if (planned[i].made) planned_[order[i]] = &planned[i].change;
  }
  planned_.clear();
  for (Planned& p : planned) {
    diags_->Append(p.diags);
    if (p.made) Add(std::move(p.change));
  }
}

bool Planner::DiffDesired(const provider::DesiredResource& d, ResourceChange* out,
                          Diagnostics* diags) {
  provider::Provider* p = providers_.Find(d.provider);
  const provider::ResourceType* type = providers_.FindType(d.type);
  if (p == nullptr || type == nullptr) {
    diags->Error(d.loc, "", d.address + ": unknown resource type '" + d.type + "'",
                 DidYouMean(d.type, providers_.TypeNames()));
    return false;
  }
  ResourceChange& c = *out;
  c.address = d.address;
  c.type = d.type;
  c.provider = d.provider;
  c.config = d.attributes;
  c.depends_on = graph_.Dependencies(d.address);

  // Most resources reference nothing and have their sensitive attributes marked (expansion
  // does): their attributes are used as they are, not copied.
  bool unmarked = false;
  for (const auto& [name, attr] : type->attributes)
    if (attr.sensitive)
      if (const Value* v = d.attributes.Find(name)) unmarked |= !v->sensitive;
  Value resolved;
  const Value* proposed_at = &d.attributes;
  if (unmarked || ContainsText(d.attributes, "${")) {
    std::string error;
    resolved = graph::ResolveReferences(
        d.attributes, [this](const std::string& a) { return Lookup(a); }, &error);
    if (!error.empty()) {
      Diagnostic diag;
      diag.loc = d.loc;
      diag.address = d.address;
      diag.summary = error;
      diag.hint = "a reference looks like ${<provider>.<type>.<name>.<attribute>}";
      diags->Add(std::move(diag));
    }
    for (const auto& [name, attr] : type->attributes)
      if (attr.sensitive)
        if (Value* v = resolved.FindMutable(name)) v->sensitive = true;
    proposed_at = &resolved;
  }
  const Value& proposed = *proposed_at;

  auto prior = plan_.refreshed.resources.find(d.address);
  std::vector<std::string> prior_paths;
  if (prior == plan_.refreshed.resources.end()) {
    c.action = Action::kCreate;
    c.after = CreateAfter(d.address, *type, proposed);
    if (gone_.count(d.address) != 0) c.reason = "deleted outside cairn";
    if (type->has_plan) {
      Result<provider::PlannedChange> planned =
          p->Plan(ContextFor(d.address, type), d.type, Value(), c.after);
      if (!planned.ok()) {
        PlanFailed(d, planned.status(), diags);
      } else if (planned->planned.is_map()) {
        c.after = planned->planned;
      }
    }
  } else {
    c.before = prior->second.attributes;
    prior_paths = prior->second.sensitive_paths;
    Value after = c.before;
    std::vector<std::string> replace;
    bool changed = false;
    if (proposed.is_map()) {
      for (const auto& [k, v] : proposed.AsMap()) {
        if (v.is_null() || k == "id") continue;
        if (!Differs(c.before.Find(k), v)) continue;
        changed = true;
        after[k] = v;
        auto attr = type->attributes.find(k);
        if (attr != type->attributes.end() && attr->second.force_new) replace.push_back(k);
      }
    }
    if (changed && type->has_plan) {
      Result<provider::PlannedChange> planned =
          p->Plan(ContextFor(d.address, type), d.type, c.before, after);
      if (!planned.ok()) {
        PlanFailed(d, planned.status(), diags);
      } else {
        if (planned->planned.is_map()) after = planned->planned;
        for (const std::string& k : planned->requires_replace) AddUnique(&replace, k);
      }
    }
    std::sort(replace.begin(), replace.end());
    if (!changed) {
      c.action = Action::kNoOp;
      c.after = std::move(after);  // nothing was changed in it: a copy of before
    } else if (!replace.empty()) {
      c.action =
          type->create_before_destroy ? Action::kCreateThenDelete : Action::kDeleteThenCreate;
      c.after = CreateAfter(d.address, *type, proposed);
      c.requires_replace = std::move(replace);
    } else {
      c.action = Action::kUpdate;
      c.after = std::move(after);
    }
  }
  c.sensitive_paths =
      SensitivePathsOf(type, c.after, SensitivePathsOf(type, c.before, prior_paths));
  state::MarkSensitive(&c.before, c.sensitive_paths);
  state::MarkSensitive(&c.after, c.sensitive_paths);
  return true;
}

void Planner::PlanDeletes() {
  // Which recorded objects depended on each address, so deletes run dependents first.
  std::map<std::string, std::vector<std::string>> dependents;
  for (const auto& [address, r] : plan_.refreshed.resources)
    for (const std::string& dep : r.dependencies) dependents[dep].push_back(address);

  for (const auto& [address, r] : plan_.refreshed.resources) {
    if (!opts_.destroy && by_address_.count(address) != 0) continue;
    if (!opts_.refresh && providers_.Find(r.provider) == nullptr) {
      Diagnostic d;
      d.summary = address + " must be deleted, but its provider '" + r.provider + "' is not loaded";
      d.hint = "add the '" + r.provider + "' provider to the blueprint and run plan again";
      d.address = address;
      diags_->Add(std::move(d));
    }
    ResourceChange c;
    c.address = address;
    c.type = r.type;
    c.provider = r.provider;
    c.action = Action::kDelete;
    c.before = r.attributes;
    c.sensitive_paths = SensitivePathsOf(providers_.FindType(r.type), c.before, r.sensitive_paths);
    state::MarkSensitive(&c.before, c.sensitive_paths);
    if (!opts_.destroy) c.reason = "not in the blueprint";
    Add(std::move(c));
  }
  // A delete waits for everything that depended on the object; a delete-then-create waits only
  // for the deletes among them (the others are updated to point at the new object afterwards).
  for (ResourceChange& c : plan_.changes) {
    if (c.action != Action::kDelete && c.action != Action::kDeleteThenCreate) continue;
    auto it = dependents.find(c.address);
    if (it == dependents.end()) continue;
    for (const std::string& dependent : it->second) {
      auto idx = index_.find(dependent);
      if (idx == index_.end() || dependent == c.address) continue;
      Action a = plan_.changes[idx->second].action;
      bool wait = c.action == Action::kDelete ? a != Action::kNoOp : a == Action::kDelete;
      if (wait) AddUnique(&c.depends_on, dependent);
    }
    std::sort(c.depends_on.begin(), c.depends_on.end());
  }
}

void Planner::OrderChanges() {
  graph::Graph g;
  for (const ResourceChange& c : plan_.changes) g.AddNode(c.address);
  for (const ResourceChange& c : plan_.changes)
    for (const std::string& dep : c.depends_on)
      if (index_.count(dep) != 0) g.AddEdge(c.address, dep);
  std::vector<std::string> order, cycle;
  if (!g.TopologicalOrder(&order, &cycle)) {
    Diagnostic d;
    d.summary = "the planned changes wait on each other in a cycle: " + graph::FormatCycle(cycle);
    d.hint = "check the dependencies recorded in the state for these resources";
    diags_->Add(std::move(d));
    return;
  }
  std::vector<ResourceChange> sorted;
  sorted.reserve(plan_.changes.size());
  for (const std::string& a : order) sorted.push_back(std::move(plan_.changes[index_.at(a)]));
  plan_.changes = std::move(sorted);
  for (size_t i = 0; i < plan_.changes.size(); ++i) index_[plan_.changes[i].address] = i;
}

}  // namespace

Result<Plan> MakePlan(const std::vector<provider::DesiredResource>& desired,
                      const state::State& prior, provider::Registry& providers,
                      const PlanOptions& opts, Diagnostics* diags) {
  Planner planner(desired, providers, opts, diags);
  return planner.Run(prior);
}

}  // namespace cairn::plan
