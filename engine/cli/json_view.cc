#include "engine/cli/json_view.h"

#include <iostream>

#include "engine/base/source.h"

namespace cairn::cli {

nlohmann::json UserJson(const Value& v) {
  if (v.sensitive) return "(sensitive)";
  switch (v.kind()) {
    case Value::Kind::kNull: return nullptr;
    case Value::Kind::kBool: return v.AsBool();
    case Value::Kind::kInt: return v.AsInt();
    case Value::Kind::kFloat: return v.AsNumber();
    case Value::Kind::kString: return v.AsString();
    case Value::Kind::kUnknown: return nlohmann::json{{"unknown", true}};
    case Value::Kind::kList: {
      nlohmann::json out = nlohmann::json::array();
      for (const Value& item : v.AsList()) out.push_back(UserJson(item));
      return out;
    }
    case Value::Kind::kMap: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, item] : v.AsMap()) out[k] = UserJson(item);
      return out;
    }
  }
  return nullptr;
}

nlohmann::json DiagnosticJson(const Diagnostic& d) {
  nlohmann::json j;
  j["severity"] = d.severity == Severity::kError ? "error" : "warning";
  j["summary"] = d.summary;
  j["detail"] = d.detail;
  j["hint"] = d.hint;
  j["address"] = d.address;
  j["path"] = d.path;
  if (d.loc.valid()) {
    j["file"] = SourceFiles::Name(d.loc.file);
    j["line"] = d.loc.line;
    j["col"] = d.loc.col;
  } else {
    j["file"] = nullptr;
    j["line"] = nullptr;
    j["col"] = nullptr;
  }
  return j;
}

const char* JsonActionName(plan::Action a) {
  switch (a) {
    case plan::Action::kNoOp: return "no-op";
    case plan::Action::kCreate: return "create";
    case plan::Action::kUpdate: return "update";
    case plan::Action::kDeleteThenCreate: return "replace";
    case plan::Action::kCreateThenDelete: return "replace-create-first";
    case plan::Action::kDelete: return "delete";
  }
  return "no-op";
}

nlohmann::json ChangeJson(const plan::ResourceChange& c) {
  nlohmann::json j;
  j["address"] = c.address;
  j["type"] = c.type;
  j["provider"] = c.provider;
  j["action"] = JsonActionName(c.action);
  j["before"] = UserJson(c.before);
  j["after"] = UserJson(c.after);
  j["requires_replace"] = c.requires_replace;
  j["reason"] = c.reason;
  j["depends_on"] = c.depends_on;
  return j;
}

nlohmann::json PlanJson(const plan::Plan& p, bool refresh_only, bool partial) {
  nlohmann::json j;
  j["destroy"] = p.destroy;
  j["refresh_only"] = refresh_only;
  j["partial"] = partial;
  size_t add = 0, change = 0, destroy = 0, no_op = 0;
  nlohmann::json changes = nlohmann::json::array();
  for (const plan::ResourceChange& c : p.changes) {
    switch (c.action) {
      case plan::Action::kNoOp: ++no_op; break;
      case plan::Action::kCreate: ++add; break;
      case plan::Action::kUpdate: ++change; break;
      case plan::Action::kDelete: ++destroy; break;
      case plan::Action::kDeleteThenCreate:
      case plan::Action::kCreateThenDelete:
        ++add;
        ++destroy;
        break;
    }
    changes.push_back(ChangeJson(c));
  }
  j["changes"] = std::move(changes);
  nlohmann::json drift = nlohmann::json::array();
  for (const plan::Drift& d : p.drift) {
    drift.push_back({{"address", d.address},
                     {"before", UserJson(d.before)},
                     {"after", UserJson(d.after)},
                     {"deleted", d.after.is_null()}});
  }
  j["drift"] = std::move(drift);
  j["summary"] = {{"add", add},
                  {"change", change},
                  {"destroy", destroy},
                  {"no_op", no_op},
                  {"drift", p.drift.size()}};
  j["has_changes"] = refresh_only ? !p.drift.empty() : p.HasChanges();
  return j;
}

nlohmann::json ResourceJson(const state::ResourceState& r) {
  Value attrs = r.attributes;
  state::MarkSensitive(&attrs, r.sensitive_paths);
  nlohmann::json j;
  j["address"] = r.address;
  j["type"] = r.type;
  j["provider"] = r.provider;
  j["id"] = r.id;
  j["attributes"] = UserJson(attrs);
  j["dependencies"] = r.dependencies;
  j["schema_version"] = r.schema_version;
  return j;
}

nlohmann::json ProvidersJson(const provider::Registry& providers) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [name, p] : providers.all()) {
    const provider::ProviderSchema& s = p->Schema();
    nlohmann::json pj;
    pj["name"] = s.name;
    pj["version"] = s.version;
    pj["source"] = s.source;
    pj["description"] = s.description;
    nlohmann::json types = nlohmann::json::array();
    for (const auto& [tname, t] : s.resources) {
      nlohmann::json tj;
      tj["name"] = tname;
      tj["description"] = t.description;
      tj["importable"] = t.has_import;
      tj["create_before_destroy"] = t.create_before_destroy;
      nlohmann::json attrs = nlohmann::json::array();
      for (const auto& [aname, a] : t.attributes) {
        attrs.push_back({{"name", aname},
                         {"type", provider::AttrTypeName(a.type)},
                         {"required", a.required},
                         {"computed", a.computed},
                         {"force_new", a.force_new},
                         {"sensitive", a.sensitive},
                         {"description", a.description}});
      }
      tj["attributes"] = std::move(attrs);
      types.push_back(std::move(tj));
    }
    pj["resource_types"] = std::move(types);
    out.push_back(std::move(pj));
  }
  return out;
}

void ApplyOutcomes::Record(const apply::ApplyEvent& e) {
  const char* outcome = nullptr;
  switch (e.kind) {
    case apply::ApplyEvent::Kind::kStart: return;
    case apply::ApplyEvent::Kind::kDone: outcome = "applied"; break;
    case apply::ApplyEvent::Kind::kFailed: outcome = "failed"; break;
    case apply::ApplyEvent::Kind::kSkipped: outcome = "skipped"; break;
  }
  std::lock_guard<std::mutex> lock(mu_);
  by_address_[e.address] = {outcome, e.message};
}

std::string ApplyOutcomes::OutcomeOf(const std::string& address, std::string* message) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_address_.find(address);
  if (it == by_address_.end()) return "";
  *message = it->second.second;
  return it->second.first;
}

nlohmann::json ApplyResultsJson(const plan::Plan& p, const ApplyOutcomes& outcomes,
                                uint64_t serial) {
  std::map<std::string, size_t> counts = {
      {"applied", 0}, {"failed", 0}, {"skipped", 0}, {"not_started", 0}, {"no-op", 0}};
  nlohmann::json resources = nlohmann::json::array();
  for (const plan::ResourceChange& c : p.changes) {
    std::string message;
    std::string outcome =
        c.action == plan::Action::kNoOp ? "no-op" : outcomes.OutcomeOf(c.address, &message);
    if (outcome.empty()) outcome = "not_started";
    ++counts[outcome];
    resources.push_back({{"address", c.address},
                         {"action", JsonActionName(c.action)},
                         {"outcome", outcome},
                         {"message", message}});
  }
  nlohmann::json j;
  j["resources"] = std::move(resources);
  j["summary"] = counts;
  j["state_serial"] = serial;
  return j;
}

StdoutSilencer::StdoutSilencer() : saved_(std::cout.rdbuf(sink_.rdbuf())) {}
StdoutSilencer::~StdoutSilencer() { std::cout.rdbuf(saved_); }

nlohmann::json JsonDocument(const std::string& command) {
  nlohmann::json j;
  j["format_version"] = kJsonFormatVersion;
  j["command"] = command;
  return j;
}

void PrintJson(nlohmann::json doc, const std::vector<Diagnostic>& diags) {
  nlohmann::json ds = nlohmann::json::array();
  for (const Diagnostic& d : diags) ds.push_back(DiagnosticJson(d));
  doc["diagnostics"] = std::move(ds);
  // Invalid UTF-8 from a live system must not abort the output.
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n"
            << std::flush;
}

}  // namespace cairn::cli
