#include "tests/emulators/kube/field_manager.h"

#include <algorithm>
#include <map>

namespace cairn::emulators {
namespace {

bool IsOwnableMetadata(const std::string& key) {
  return key == "labels" || key == "annotations" || key == "finalizers" || key == "ownerReferences";
}

void CollectLeaves(const nlohmann::json& node, FieldPath* path, FieldSet* out) {
  if (node.is_null()) return;
  if (!node.is_object() || node.empty()) {
    out->insert(*path);
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    path->push_back(it.key());
    CollectLeaves(it.value(), path, out);
    path->pop_back();
  }
}

// a is a prefix of b (or equal).
bool IsPrefix(const FieldPath& a, const FieldPath& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

bool Overlaps(const FieldPath& a, const FieldPath& b) { return IsPrefix(a, b) || IsPrefix(b, a); }

bool SetOverlaps(const FieldSet& set, const FieldPath& p) {
  // Any member that is a prefix of p, or that has p as a prefix.
  for (size_t n = 0; n <= p.size(); ++n) {
    if (set.count(FieldPath(p.begin(), p.begin() + n))) return true;
  }
  auto it = set.lower_bound(p);
  return it != set.end() && IsPrefix(p, *it);
}

void RemoveOverlapping(FieldSet* set, const FieldPath& p) {
  for (auto it = set->begin(); it != set->end();) {
    if (Overlaps(*it, p)) {
      it = set->erase(it);
    } else {
      ++it;
    }
  }
}

const nlohmann::json* Lookup(const nlohmann::json& object, const FieldPath& path) {
  const nlohmann::json* cur = &object;
  for (const std::string& key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

// Removes the field and then every parent map it leaves empty, unless that parent is owned
// (as an empty map) by someone or is a top-level section.
void RemoveField(nlohmann::json* object, const FieldPath& path,
                 const std::vector<ManagerEntry>& owners) {
  if (path.empty()) return;
  for (size_t len = path.size(); len >= 1; --len) {
    FieldPath parent(path.begin(), path.begin() + len - 1);
    nlohmann::json* node = object;
    for (const std::string& key : parent) node = &(*node)[key];
    if (!node->is_object()) return;
    if (len == path.size()) {
      node->erase(path[len - 1]);
    } else {
      auto it = node->find(path[len - 1]);
      if (it == node->end() || !it->is_object() || !it->empty()) return;
      FieldPath child(path.begin(), path.begin() + len);
      for (const ManagerEntry& e : owners)
        if (e.fields.count(child)) return;
      node->erase(path[len - 1]);
    }
    if (len - 1 <= 1) return;  // keep "spec", "metadata", "data" themselves
  }
}

// Removes null members from `object` and the objects within it (not from lists), as DeepMerge
// skips them.
void DropNulls(nlohmann::json* object) {
  for (auto it = object->begin(); it != object->end();) {
    if (it->is_null()) {
      it = object->erase(it);
    } else {
      if (it->is_object()) DropNulls(&*it);
      ++it;
    }
  }
}

// Merges `config` (consumed: its values are moved) into `live`; null members are skipped.
void DeepMerge(nlohmann::json* live, nlohmann::json* config) {
  for (auto it = config->begin(); it != config->end(); ++it) {
    if (it->is_null()) continue;
    nlohmann::json& dst = (*live)[it.key()];
    if (it->is_object() && dst.is_object() && !it->empty()) {
      DeepMerge(&dst, &*it);
    } else if (it->is_object() && !it->empty()) {
      dst = nlohmann::json::object();
      DeepMerge(&dst, &*it);
    } else {
      dst = std::move(*it);
    }
  }
}

std::string ManagerText(const ManagerEntry& e) {
  std::string s = "\"" + e.manager + "\"";
  if (e.operation == "Update") s += " using " + e.api_version;
  return s;
}

}  // namespace

std::string FieldPathString(const FieldPath& path) {
  std::string out;
  for (const std::string& key : path) out += "." + key;
  return out;
}

FieldSet LeafFields(const nlohmann::json& object) {
  FieldSet out;
  if (!object.is_object()) return out;
  FieldPath path;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (key == "apiVersion" || key == "kind" || key == "status") continue;
    if (key == "metadata") {
      if (!it->is_object()) continue;
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!IsOwnableMetadata(m.key())) continue;
        path = {"metadata", m.key()};
        CollectLeaves(m.value(), &path, &out);
      }
      continue;
    }
    path = {key};
    CollectLeaves(it.value(), &path, &out);
  }
  return out;
}

nlohmann::json ToFieldsV1(const FieldSet& fields) {
  nlohmann::json out = nlohmann::json::object();
  for (const FieldPath& p : fields) {
    nlohmann::json* node = &out;
    for (const std::string& key : p) node = &(*node)["f:" + key];
    if (node->is_null()) *node = nlohmann::json::object();
  }
  return out;
}

FieldSet FromFieldsV1(const nlohmann::json& fields_v1) {
  FieldSet out;
  std::vector<std::pair<const nlohmann::json*, FieldPath>> stack = {{&fields_v1, {}}};
  while (!stack.empty()) {
    auto [node, path] = stack.back();
    stack.pop_back();
    bool has_child = false;
    if (node->is_object()) {
      for (auto it = node->begin(); it != node->end(); ++it) {
        if (it.key().rfind("f:", 0) != 0) continue;
        has_child = true;
        FieldPath child = path;
        child.push_back(it.key().substr(2));
        stack.push_back({&*it, child});
      }
    }
    if (!has_child && !path.empty()) out.insert(path);
  }
  return out;
}

std::vector<ManagerEntry> ReadManagedFields(const nlohmann::json& object) {
  std::vector<ManagerEntry> out;
  const nlohmann::json* mf = Lookup(object, {"metadata", "managedFields"});
  if (!mf || !mf->is_array()) return out;
  for (const nlohmann::json& j : *mf) {
    ManagerEntry e;
    e.manager = j.value("manager", "");
    e.operation = j.value("operation", "");
    e.api_version = j.value("apiVersion", "");
    e.time = j.value("time", "");
    if (j.contains("fieldsV1")) e.fields = FromFieldsV1(j["fieldsV1"]);
    out.push_back(std::move(e));
  }
  return out;
}

void WriteManagedFields(nlohmann::json* object, const std::vector<ManagerEntry>& entries) {
  nlohmann::json list = nlohmann::json::array();
  for (const ManagerEntry& e : entries) {
    if (e.fields.empty()) continue;
    nlohmann::json entry = nlohmann::json::object();
    entry["manager"] = e.manager;
    entry["operation"] = e.operation;
    entry["apiVersion"] = e.api_version;
    entry["time"] = e.time;
    entry["fieldsType"] = "FieldsV1";
    entry["fieldsV1"] = ToFieldsV1(e.fields);
    list.push_back(std::move(entry));
  }
  nlohmann::json& meta = (*object)["metadata"];
  if (list.empty()) {
    meta.erase("managedFields");
  } else {
    meta["managedFields"] = std::move(list);
  }
}

ApplyOutcome ServerSideApply(const nlohmann::json& live, nlohmann::json config,
                             const std::string& manager, const std::string& api_version, bool force,
                             const std::string& now) {
  ApplyOutcome out;
  nlohmann::json base = live.is_null() ? nlohmann::json::object() : live;
  std::vector<ManagerEntry> entries = ReadManagedFields(base);
  FieldSet applied = LeafFields(config);

  // Conflicts: another manager owns an overlapping field whose live value differs.
  std::map<std::string, std::vector<FieldPath>> by_manager;
  std::vector<std::pair<size_t, FieldPath>> taken;  // (entry index, path) to move on force
  for (size_t i = 0; i < entries.size(); ++i) {
    const ManagerEntry& e = entries[i];
    if (e.manager == manager && e.operation == "Apply") continue;
    for (const FieldPath& owned : e.fields) {
      for (const FieldPath& p : applied) {
        if (!Overlaps(owned, p)) continue;
        const nlohmann::json* have = Lookup(base, p);
        const nlohmann::json* want = Lookup(config, p);
        if (have && want && *have == *want) continue;
        const FieldPath& shown = owned.size() > p.size() ? owned : p;
        taken.push_back({i, owned});
        StatusCause c;
        c.reason = "FieldManagerConflict";
        c.message = "conflict with " + ManagerText(e);
        c.field = FieldPathString(shown);
        out.conflicts.push_back(c);
        by_manager[ManagerText(e)].push_back(shown);
        break;
      }
    }
  }
  if (!out.conflicts.empty() && !force) {
    if (out.conflicts.size() == 1) {
      out.conflict_message = "Apply failed with 1 conflict: " + out.conflicts[0].message + ": " +
                             out.conflicts[0].field;
    } else {
      std::string msg =
          "Apply failed with " + std::to_string(out.conflicts.size()) + " conflicts: ";
      bool first = true;
      for (const auto& [who, paths] : by_manager) {
        msg += (first ? "" : "\n") + std::string("conflicts with ") + who + ":";
        first = false;
        for (const FieldPath& p : paths) msg += "\n- " + FieldPathString(p);
      }
      out.conflict_message = msg;
    }
    return out;
  }
  out.conflicts.clear();
  for (const auto& [index, path] : taken) entries[index].fields.erase(path);

  // The manager's previous apply set decides what to remove.
  ManagerEntry* mine = nullptr;
  for (ManagerEntry& e : entries)
    if (e.manager == manager && e.operation == "Apply") mine = &e;
  FieldSet previous = mine ? mine->fields : FieldSet{};
  for (const FieldPath& p : previous) {
    if (SetOverlaps(applied, p)) continue;
    bool shared = false;
    for (const ManagerEntry& e : entries) {
      if (&e == mine) continue;
      shared = shared || SetOverlaps(e.fields, p);
    }
    if (!shared) RemoveField(&base, p, entries);
  }
  if (base.empty()) {
    // A create: merging into nothing is the configuration without its null members.
    DropNulls(&config);
    base = std::move(config);
  } else {
    DeepMerge(&base, &config);  // config is not read after this
  }

  if (mine) {
    if (mine->fields != applied || mine->api_version != api_version) {
      mine->fields = applied;
      mine->api_version = api_version;
      mine->time = now;
    }
  } else {
    entries.push_back({manager, "Apply", api_version, now, applied});
  }
  WriteManagedFields(&base, entries);
  out.object = std::move(base);
  return out;
}

void RecordUpdate(const nlohmann::json& old_object, nlohmann::json* new_object,
                  const std::string& manager, const std::string& api_version,
                  const std::string& now) {
  std::vector<ManagerEntry> entries =
      ReadManagedFields(old_object.is_null() ? *new_object : old_object);
  if (old_object.is_null()) entries.clear();
  FieldSet fresh = LeafFields(*new_object);
  FieldSet changed;
  for (const FieldPath& p : fresh) {
    const nlohmann::json* before = old_object.is_null() ? nullptr : Lookup(old_object, p);
    const nlohmann::json* after = Lookup(*new_object, p);
    if (!before || !after || *before != *after) changed.insert(p);
  }
  for (ManagerEntry& e : entries) {
    for (auto it = e.fields.begin(); it != e.fields.end();) {
      bool gone = !Lookup(*new_object, *it);
      bool moved = !(e.manager == manager && e.operation == "Update") && SetOverlaps(changed, *it);
      if (gone || moved) {
        it = e.fields.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!changed.empty()) {
    ManagerEntry* mine = nullptr;
    for (ManagerEntry& e : entries)
      if (e.manager == manager && e.operation == "Update" && e.api_version == api_version)
        mine = &e;
    if (!mine) {
      entries.push_back({manager, "Update", api_version, now, {}});
      mine = &entries.back();
    }
    for (const FieldPath& p : changed) {
      RemoveOverlapping(&mine->fields, p);
      mine->fields.insert(p);
    }
    mine->time = now;
  }
  WriteManagedFields(new_object, entries);
}

void MergePatch(nlohmann::json* target, const nlohmann::json& patch) {
  if (!patch.is_object()) {
    *target = patch;
    return;
  }
  if (!target->is_object()) *target = nlohmann::json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) {
      target->erase(it.key());
    } else {
      MergePatch(&(*target)[it.key()], *it);
    }
  }
}

}  // namespace cairn::emulators
