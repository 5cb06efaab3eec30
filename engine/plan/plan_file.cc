#include "engine/plan/plan_file.h"

#include <algorithm>
#include <cstdio>

#include <openssl/evp.h>

#include "engine/base/json.h"
#include "engine/state/file_io.h"

namespace cairn::plan {
namespace {

// The file says what it is, so that `cairn apply state.json` gets a clear refusal.
constexpr const char* kKind = "cairn-plan";
constexpr const char* kFileHint =
    "make a new one with `cairn plan -out FILE`; a plan file is only ever written by cairn";

const char* ActionKey(Action a) {
  switch (a) {
    case Action::kNoOp: return "no-op";
    case Action::kCreate: return "create";
    case Action::kUpdate: return "update";
    case Action::kDeleteThenCreate: return "delete-then-create";
    case Action::kCreateThenDelete: return "create-then-delete";
    case Action::kDelete: return "delete";
  }
  return "no-op";
}

bool ParseActionKey(const std::string& s, Action* out) {
  for (Action a : {Action::kNoOp, Action::kCreate, Action::kUpdate, Action::kDeleteThenCreate,
                   Action::kCreateThenDelete, Action::kDelete}) {
    if (s == ActionKey(a)) {
      *out = a;
      return true;
    }
  }
  return false;
}

Value StringList(const std::vector<std::string>& v) {
  Value out = Value::EmptyList();
  for (const std::string& s : v) out.Push(s);
  return out;
}

std::vector<std::string> ReadStrings(const Value& obj, const char* key) {
  std::vector<std::string> out;
  if (const Value* v = obj.Find(key); v && v->is_list())
    for (const Value& s : v->AsList())
      if (s.is_string()) out.push_back(s.AsString());
  return out;
}

std::string ReadString(const Value& obj, const char* key) {
  const Value* v = obj.Find(key);
  return v && v->is_string() ? v->AsString() : "";
}

Status Bad(const std::string& what) {
  return Status::Error("the plan file is not valid: " + what, kFileHint);
}

Value ChangeToValue(const ResourceChange& c) {
  Value v = Value::EmptyMap();
  v["address"] = c.address;
  v["type"] = c.type;
  v["provider"] = c.provider;
  v["action"] = ActionKey(c.action);
  v["before"] = c.before;
  v["after"] = c.after;
  v["config"] = c.config;
  v["requires_replace"] = StringList(c.requires_replace);
  v["depends_on"] = StringList(c.depends_on);
  v["sensitive_paths"] = StringList(c.sensitive_paths);
  v["reason"] = c.reason;
  return v;
}

Result<ResourceChange> ChangeFromValue(const Value& v) {
  ResourceChange c;
  c.address = ReadString(v, "address");
  if (c.address.empty()) return Bad("a change has no address");
  c.type = ReadString(v, "type");
  c.provider = ReadString(v, "provider");
  if (!ParseActionKey(ReadString(v, "action"), &c.action))
    return Bad(c.address + ": unknown action '" + ReadString(v, "action") + "'");
  if (const Value* b = v.Find("before")) c.before = *b;
  if (const Value* a = v.Find("after")) c.after = *a;
  if (const Value* cfg = v.Find("config")) c.config = *cfg;
  c.requires_replace = ReadStrings(v, "requires_replace");
  c.depends_on = ReadStrings(v, "depends_on");
  c.sensitive_paths = ReadStrings(v, "sensitive_paths");
  c.reason = ReadString(v, "reason");
  // Sensitivity is not part of JSON; the recorded paths restore it.
  state::MarkSensitive(&c.before, c.sensitive_paths);
  state::MarkSensitive(&c.after, c.sensitive_paths);
  return c;
}

}  // namespace

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * len);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string DesiredDigest(const std::vector<provider::DesiredResource>& desired) {
  std::vector<const provider::DesiredResource*> sorted;
  for (const provider::DesiredResource& d : desired) sorted.push_back(&d);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->address < b->address; });
  Value all = Value::EmptyList();
  for (const provider::DesiredResource* d : sorted) {
    Value v = Value::EmptyMap();
    v["address"] = d->address;
    v["type"] = d->type;
    v["attributes"] = d->attributes;
    v["depends_on"] = StringList(d->depends_on);
    all.Push(std::move(v));
  }
  JsonOptions o;
  o.keep_unknown = true;
  return Sha256Hex(DumpJson(all, -1, o));
}

std::string PlanFileToJson(const PlanFile& f) {
  Value v = Value::EmptyMap();
  v["kind"] = kKind;
  v["format_version"] = PlanFile::kFormatVersion;
  v["created"] = f.created;
  v["blueprint"] = f.blueprint_path;
  if (!f.commit.empty()) {
    Value git = Value::EmptyMap();
    git["commit"] = f.commit;
    git["dirty"] = f.dirty;
    v["git"] = std::move(git);
  }
  Value fp = Value::EmptyMap();
  fp["lineage"] = f.fingerprint.lineage;
  fp["serial"] = static_cast<int64_t>(f.fingerprint.serial);
  fp["blueprint_sha256"] = f.fingerprint.blueprint_sha256;
  fp["desired_sha256"] = f.fingerprint.desired_sha256;
  Value plugins = Value::EmptyList();
  for (const PluginVersion& p : f.fingerprint.plugins) {
    Value pv = Value::EmptyMap();
    pv["name"] = p.name;
    pv["version"] = p.version;
    plugins.Push(std::move(pv));
  }
  fp["plugins"] = std::move(plugins);
  v["prior"] = std::move(fp);
  v["destroy"] = f.plan.destroy;
  v["refresh_only"] = f.refresh_only;
  v["targets"] = StringList(f.targets);
  Value changes = Value::EmptyList();
  for (const ResourceChange& c : f.plan.changes) changes.Push(ChangeToValue(c));
  v["changes"] = std::move(changes);
  Value drift = Value::EmptyList();
  for (const Drift& d : f.plan.drift) {
    Value dv = Value::EmptyMap();
    dv["address"] = d.address;
    dv["before"] = d.before;
    dv["after"] = d.after;
    dv["sensitive_paths"] = StringList(d.sensitive_paths);
    drift.Push(std::move(dv));
  }
  v["drift"] = std::move(drift);
  v["refreshed"] = state::StateToValue(f.plan.refreshed);
  JsonOptions o;
  o.keep_unknown = true;
  return DumpJson(v, 1, o) + "\n";
}

Result<PlanFile> PlanFileFromJson(const std::string& text) {
  Result<Value> parsed = ParseJson(text);
  if (!parsed.ok()) return Bad(parsed.status().message());
  const Value& v = *parsed;
  if (ReadString(v, "kind") != kKind) return Bad("it does not say it is a cairn plan");
  const Value* version = v.Find("format_version");
  if (version == nullptr || !version->is_int()) return Bad("format_version is missing");
  if (version->AsInt() > PlanFile::kFormatVersion)
    return Status::Error("the plan file has format version " + std::to_string(version->AsInt()) +
                             ", newer than this cairn understands (" +
                             std::to_string(PlanFile::kFormatVersion) + ")",
                         "apply it with the cairn that made it, or plan again");
  PlanFile f;
  f.created = ReadString(v, "created");
  f.blueprint_path = ReadString(v, "blueprint");
  if (const Value* git = v.Find("git"); git && git->is_map()) {
    f.commit = ReadString(*git, "commit");
    if (const Value* d = git->Find("dirty"); d && d->is_bool()) f.dirty = d->AsBool();
  }
  const Value* fp = v.Find("prior");
  if (fp == nullptr || !fp->is_map()) return Bad("'prior' is missing");
  f.fingerprint.lineage = ReadString(*fp, "lineage");
  if (const Value* s = fp->Find("serial"); s && s->is_int())
    f.fingerprint.serial = static_cast<uint64_t>(s->AsInt());
  f.fingerprint.blueprint_sha256 = ReadString(*fp, "blueprint_sha256");
  f.fingerprint.desired_sha256 = ReadString(*fp, "desired_sha256");
  if (const Value* ps = fp->Find("plugins"); ps && ps->is_list())
    for (const Value& p : ps->AsList())
      f.fingerprint.plugins.push_back({ReadString(p, "name"), ReadString(p, "version")});
  if (const Value* d = v.Find("destroy"); d && d->is_bool()) f.plan.destroy = d->AsBool();
  if (const Value* r = v.Find("refresh_only"); r && r->is_bool()) f.refresh_only = r->AsBool();
  f.targets = ReadStrings(v, "targets");
  if (const Value* cs = v.Find("changes"); cs && cs->is_list()) {
    for (const Value& cv : cs->AsList()) {
      Result<ResourceChange> c = ChangeFromValue(cv);
      if (!c.ok()) return c.status();
      f.plan.changes.push_back(std::move(*c));
    }
  }
  if (const Value* ds = v.Find("drift"); ds && ds->is_list()) {
    for (const Value& dv : ds->AsList()) {
      Drift d;
      d.address = ReadString(dv, "address");
      if (const Value* b = dv.Find("before")) d.before = *b;
      if (const Value* a = dv.Find("after")) d.after = *a;
      d.sensitive_paths = ReadStrings(dv, "sensitive_paths");
      state::MarkSensitive(&d.before, d.sensitive_paths);
      state::MarkSensitive(&d.after, d.sensitive_paths);
      f.plan.drift.push_back(std::move(d));
    }
  }
  const Value* refreshed = v.Find("refreshed");
  if (refreshed == nullptr) return Bad("'refreshed' is missing");
  Result<state::State> st = state::StateFromValue(*refreshed);
  if (!st.ok()) return Bad("refreshed: " + st.status().message());
  f.plan.refreshed = std::move(*st);
  for (auto& [address, r] : f.plan.refreshed.resources)
    state::MarkSensitive(&r.attributes, r.sensitive_paths);
  return f;
}

Status WritePlanFile(const std::string& path, const PlanFile& f) {
  return state::ReplaceFileAtomically(path, PlanFileToJson(f), 0600);
}

Result<PlanFile> ReadPlanFile(const std::string& path) {
  std::string text;
  Status s = state::ReadWholeFile(path, &text);
  if (!s.ok()) {
    if (s.code() == Status::Code::kNotFound)
      return Status::Error("plan file '" + path + "' not found",
                           "save one with `cairn plan -out " + path + "`");
    return s;
  }
  Result<PlanFile> f = PlanFileFromJson(text);
  if (!f.ok()) return Status::Error(path + ": " + f.status().message(), f.status().hint());
  return f;
}

std::vector<std::string> StaleReasons(const PlanFingerprint& saved, const PlanFingerprint& now) {
  std::vector<std::string> out;
  // A plan made before any state existed is stale once one does: report that as the serial move.
  if (saved.lineage != now.lineage && !saved.lineage.empty()) {
    out.push_back("the state's lineage differs (" +
                  (saved.lineage.empty() ? std::string("no state") : saved.lineage) +
                  " when planned, now " +
                  (now.lineage.empty() ? std::string("no state") : now.lineage) +
                  "): it is a different state");
  } else if (saved.serial != now.serial) {
    out.push_back("the state serial moved from " + std::to_string(saved.serial) + " to " +
                  std::to_string(now.serial) + " (something was applied since)");
  }
  if (saved.blueprint_sha256 != now.blueprint_sha256) {
    out.push_back("the blueprint changed since the plan was made");
  } else if (saved.desired_sha256 != now.desired_sha256) {
    out.push_back(
        "the resources the blueprint asks for changed (a secret, an included file or "
        "a plugin's expansion differs)");
  }
  for (const PluginVersion& p : saved.plugins) {
    auto it = std::find_if(now.plugins.begin(), now.plugins.end(),
                           [&](const PluginVersion& n) { return n.name == p.name; });
    if (it == now.plugins.end())
      out.push_back("plugin " + p.name + " is no longer loaded");
    else if (it->version != p.version)
      out.push_back("plugin " + p.name + " version changed from " + p.version + " to " +
                    it->version);
  }
  for (const PluginVersion& n : now.plugins) {
    bool known = std::any_of(saved.plugins.begin(), saved.plugins.end(),
                             [&](const PluginVersion& p) { return p.name == n.name; });
    if (!known) out.push_back("plugin " + n.name + " was added since the plan was made");
  }
  return out;
}

}  // namespace cairn::plan
