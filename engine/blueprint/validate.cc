// Validate: the embedded JSON Schema, then the checks a schema cannot express.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "engine/base/json.h"
#include "engine/blueprint/blueprint.h"
#include "engine/blueprint/formats.h"
#include "engine/blueprint/json_schema.h"
#include "engine/blueprint/suggest.h"

namespace cairn::blueprint {

extern const char* const kEmbeddedBlueprintSchema;

namespace {

/// The compiled embedded schema, or the reason it could not be read (a build defect).
struct CompiledSchema {
  std::unique_ptr<JsonSchema> schema;
  std::string error;
};

/// The embedded schema text parsed into a Value, or why it could not be.
struct ParsedSchema {
  Value value;
  std::string error;
};

const ParsedSchema& Parsed() {
  // Leaked on purpose: validation may run from threads still alive at exit.
  static const ParsedSchema* parsed = [] {
    auto* p = new ParsedSchema;
    Result<Value> r = ParseJson(kEmbeddedBlueprintSchema);
    if (r.ok()) {
      p->value = std::move(r.value());
    } else {
      p->value = Value::EmptyMap();
      p->error = r.status().message();
    }
    return p;
  }();
  return *parsed;
}

const CompiledSchema& Compiled() {
  static const CompiledSchema* compiled = [] {
    auto* c = new CompiledSchema;
    // Its patterns are compiled as used: a run needs few of them (validate_test compiles all).
    c->schema = std::make_unique<JsonSchema>(Parsed().value, JsonSchema::Patterns::kOnFirstUse);
    c->error = Parsed().error;
    if (c->error.empty() && !c->schema->schema_problems().empty())
      c->error = c->schema->schema_problems().items()[0].summary;
    return c;
  }();
  return *compiled;
}

// Calls fn for every node matching a simple path pattern: "nodes[*].ssh.key", where "[*]" is
// every list item and "*" every map value.
template <class Fn>
void ForEachAt(const Value& node, std::string_view pattern, const std::string& path, Fn&& fn) {
  if (pattern.empty()) {
    fn(node, path);
    return;
  }
  size_t dot = pattern.find('.');
  std::string_view seg = pattern.substr(0, dot);
  std::string_view rest = dot == std::string_view::npos ? "" : pattern.substr(dot + 1);
  bool each_item = seg.size() > 3 && seg.substr(seg.size() - 3) == "[*]";
  if (each_item) seg.remove_suffix(3);
  if (seg == "*") {
    if (!node.is_map()) return;
    for (const auto& [key, child] : node.AsMap()) ForEachAt(child, rest, PathForKey(path, key), fn);
    return;
  }
  const Value* child = node.Find(seg);
  if (!child) return;
  std::string child_path = PathKey(path, seg);
  if (!each_item) {
    ForEachAt(*child, rest, child_path, fn);
    return;
  }
  if (!child->is_list()) return;
  for (size_t i = 0; i < child->size(); ++i)
    ForEachAt(child->AsList()[i], rest, PathIndex(child_path, i), fn);
}

const std::string* StringAt(const Value& node, std::string_view key) {
  const Value* v = node.Find(key);
  return v && v->is_string() ? &v->AsString() : nullptr;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

/// Checks that need the whole blueprint: names that must be unique or must exist.
class SemanticChecker {
 public:
  SemanticChecker(const Value& root, Diagnostics* diags) : root_(root), diags_(diags) {}
  void Run();

 private:
  void UniqueNames(std::string_view list_pattern, const char* what);
  void CheckName(const Value& v, const std::string& path, const std::vector<std::string>& known,
                 const std::string& what, const std::string& define_hint);
  void Tiers();
  void Secrets();
  void Servers();
  void Apps();
  void DnsRecordTtls();
  void Routing();

  const Value& root_;
  Diagnostics* diags_;
};

void SemanticChecker::UniqueNames(std::string_view list_pattern, const char* what) {
  std::string pattern = std::string(list_pattern) + ".name";
  // Names are unique per list; the pattern may contain an outer [*] (volumes per app).
  std::map<std::string, const Value*> seen;
  std::string current_list;
  ForEachAt(root_, pattern, "", [&](const Value& name, const std::string& path) {
    if (!name.is_string()) return;
    std::string list = path.substr(0, path.rfind('['));
    if (list != current_list) {
      seen.clear();
      current_list = list;
    }
    auto [it, inserted] = seen.emplace(name.AsString(), &name);
    if (inserted) return;
    diags_->Error(
        name.loc, path, std::string("duplicate ") + what + " name '" + name.AsString() + "'",
        "the first is on line " + std::to_string(it->second->loc.line) + "; names must be unique");
  });
}

void SemanticChecker::CheckName(const Value& v, const std::string& path,
                                const std::vector<std::string>& known, const std::string& what,
                                const std::string& define_hint) {
  if (!v.is_string()) return;
  if (std::find(known.begin(), known.end(), v.AsString()) != known.end()) return;
  std::string hint = SuggestHint(v.AsString(), known);
  if (hint.empty())
    hint = known.empty() ? define_hint : "defined " + what + "s: " + JoinNames(known);
  diags_->Error(v.loc, path, "unknown " + what + " '" + v.AsString() + "'", hint);
}

void SemanticChecker::Tiers() {
  std::vector<std::string> tiers;
  ForEachAt(root_, "storage.tiers[*].name", "", [&](const Value& v, const std::string&) {
    if (v.is_string()) tiers.push_back(v.AsString());
  });
  const std::string hint = "define it under storage.tiers";
  for (const char* p : {"nodes[*].disks[*].tier", "apps[*].volumes[*].tier"}) {
    ForEachAt(root_, p, "", [&](const Value& v, const std::string& path) {
      CheckName(v, path, tiers, "storage tier", hint);
    });
  }
}

void SemanticChecker::Secrets() {
  std::vector<std::string> secrets;
  if (const Value* s = root_.Find("secrets"); s && s->is_map())
    for (const auto& [name, ref] : s->AsMap()) secrets.push_back(name);
  static const char* const kRefs[] = {
      "nodes[*].ssh.key",
      "network.ingress.vpn.config",
      "network.ingress.tor.onion_key",
      "network.egress.vpn.config",
      "network.egress.tor.onion_key",
      "proxy.token",
      "proxy.wireguard.private_key",
      "backups.targets[*].access_key",
      "backups.targets[*].secret_key",
      "apps[*].env.*.secret",
      "apps[*].secrets[*]",
      "state.encryption.key",
  };
  for (const char* p : kRefs) {
    ForEachAt(root_, p, "", [&](const Value& v, const std::string& path) {
      // A value that is not a name at all (env:X written in place) is the schema's to report.
      if (!v.is_string() || v.AsString().find(':') != std::string::npos) return;
      CheckName(
          v, path, secrets, "secret",
          "declare it in the secrets: section, e.g. " + v.AsString() + ": env:" + v.AsString());
    });
  }
}

void SemanticChecker::Servers() {
  const Value* nodes = root_.Find("nodes");
  if (!nodes || !nodes->is_list() || nodes->size() == 0) return;
  for (const Value& node : nodes->AsList()) {
    const std::string* role = StringAt(node, "role");
    // A misspelt role is already reported by the schema; it may well have meant "server".
    if (!role || (*role != "agent" && *role != "voter")) return;
  }
  diags_->Error(nodes->loc, "nodes", "no node has role 'server'",
                "a cluster needs at least one server node; set role: server on one of them");
}

void SemanticChecker::Apps() {
  const Value* apps = root_.Find("apps");
  if (!apps || !apps->is_list()) return;
  std::vector<std::string> names;
  for (const Value& app : apps->AsList())
    if (const std::string* n = StringAt(app, "name")) names.push_back(*n);
  std::vector<std::string> zones;
  ForEachAt(root_, "dns.zones[*].name", "", [&](const Value& v, const std::string&) {
    if (v.is_string()) zones.push_back(v.AsString());
  });
  bool have_dns = root_.Find("dns") != nullptr;

  for (size_t i = 0; i < apps->size(); ++i) {
    const Value& app = apps->AsList()[i];
    std::string app_path = PathIndex("apps", i);
    ForEachAt(app, "allow[*]", app_path, [&](const Value& peer, const std::string& path) {
      if (!peer.is_string() || IsCidr(peer.AsString())) return;
      CheckName(peer, path, names, "app", "name an app from apps: or write a CIDR range");
    });
    std::set<int64_t> ports;
    ForEachAt(app, "ports[*].port", app_path, [&](const Value& p, const std::string&) {
      if (p.is_int()) ports.insert(p.AsInt());
    });
    ForEachAt(app, "expose[*]", app_path, [&](const Value& e, const std::string& path) {
      const Value* port = e.Find("port");
      if (port && port->is_int() && !ports.empty() && !ports.count(port->AsInt())) {
        diags_->Error(port->loc, PathKey(path, "port"),
                      "port " + std::to_string(port->AsInt()) + " is not one of the app's ports",
                      "add it under ports: or expose one of the declared ports");
      }
      const Value* host = e.Find("host");
      if (!have_dns || !host || !host->is_string()) return;
      const std::string& h = host->AsString();
      for (const std::string& z : zones) {
        if (h == z || (h.size() > z.size() && h.compare(h.size() - z.size(), z.size(), z) == 0 &&
                       h[h.size() - z.size() - 1] == '.'))
          return;
      }
      diags_->Warning(host->loc, PathKey(path, "host"),
                      "host '" + h + "' is not inside any DNS zone",
                      zones.empty() ? "add a zone under dns.zones"
                                    : "zones: " + JoinNames(zones) +
                                          "; cairn will not create "
                                          "a record for it");
    });
  }
}

// Entries of one name and type in a zone make one record set, which has one TTL: a second
// TTL would otherwise be dropped when the DNS expansion merges the entries.
void SemanticChecker::DnsRecordTtls() {
  ForEachAt(root_, "dns.zones[*]", "", [&](const Value& zone, const std::string& zone_path) {
    const std::string* zname = StringAt(zone, "name");
    if (zname == nullptr) return;
    auto lower = [](std::string n) {
      std::transform(n.begin(), n.end(), n.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (!n.empty() && n.back() == '.') n.pop_back();
      return n;
    };
    std::map<std::string, const Value*> first;  // "name TYPE" -> the first TTL written for it
    ForEachAt(zone, "records[*]", zone_path, [&](const Value& rec, const std::string& path) {
      const std::string* name = StringAt(rec, "name");
      const std::string* type = StringAt(rec, "type");
      const Value* ttl = rec.Find("ttl");
      if (name == nullptr || type == nullptr || ttl == nullptr || !ttl->is_int()) return;
      std::string owner = *name == "@" || name->empty() ? lower(*zname)
                          : name->back() == '.'         ? lower(*name)
                                                        : lower(*name) + "." + lower(*zname);
      auto [it, added] = first.emplace(owner + " " + *type, ttl);
      if (added || it->second->AsInt() == ttl->AsInt()) return;
      diags_->Error(ttl->loc, PathKey(path, "ttl"),
                    "the " + *type + " record set of " + owner + " already has ttl " +
                        std::to_string(it->second->AsInt()) + " (line " +
                        std::to_string(it->second->loc.line) + "); a record set has one TTL",
                    "give its entries the same ttl, or write it on one of them only");
    });
  });
}

void SemanticChecker::Routing() {
  const Value* net = root_.Find("network");
  auto mode_at = [&](std::string_view section) -> const std::string* {
    const Value* s = net ? net->Find(section) : nullptr;
    return s ? StringAt(*s, "mode") : nullptr;
  };
  // Apps that send traffic through the VPN need the tunnel configured.
  const Value* egress = net ? net->Find("egress") : nullptr;
  bool have_vpn = egress && egress->Find("vpn");
  ForEachAt(root_, "apps[*].egress", "", [&](const Value& v, const std::string& path) {
    if (v.is_string() && v.AsString() == "vpn" && !have_vpn)
      diags_->Error(v.loc, path, "egress through the VPN, but network.egress.vpn is not set",
                    "configure the tunnel under network.egress.vpn (provider, endpoint, config)");
  });
  // Public ingress through the cloud proxy needs the proxy.
  if (root_.Find("proxy")) return;
  const Value* ingress = net ? net->Find("ingress") : nullptr;
  const std::string* via = nullptr;
  if (ingress)
    if (const Value* pub = ingress->Find("public")) via = StringAt(*pub, "via");
  if (via && *via == "direct") return;
  auto complain = [&](const Value& where, const std::string& path) {
    diags_->Error(where.loc, path,
                  "public ingress goes through the cloud proxy, but there is no "
                  "proxy: section",
                  "add a proxy: section, or set network.ingress.public.via: direct");
  };
  const std::string* mode = mode_at("ingress");
  if (mode && *mode == "public") {
    complain(*ingress->Find("mode"), "network.ingress.mode");
    return;
  }
  bool reported = false;
  ForEachAt(root_, "apps[*].expose[*].mode", "", [&](const Value& v, const std::string& path) {
    if (!reported && v.is_string() && v.AsString() == "public") {
      complain(v, path);
      reported = true;
    }
  });
}

void SemanticChecker::Run() {
  if (!root_.is_map()) return;
  UniqueNames("nodes[*]", "node");
  UniqueNames("apps[*]", "app");
  UniqueNames("apps[*].volumes[*]", "volume");
  UniqueNames("storage.tiers[*]", "storage tier");
  UniqueNames("backups.targets[*]", "backup target");
  UniqueNames("dns.zones[*]", "zone");
  Tiers();
  Secrets();
  Servers();
  Apps();
  DnsRecordTtls();
  Routing();
}

bool LocBefore(const Diagnostic& a, const Diagnostic& b) {
  auto key = [](const SourceLoc& l) {
    return std::make_tuple(l.valid() ? 0 : 1, l.file, l.line, l.col);
  };
  return key(a.loc) < key(b.loc);
}

}  // namespace

const Value& EmbeddedSchema() { return Parsed().value; }

void Validate(const Blueprint& bp, Diagnostics* diags) {
  const CompiledSchema& compiled = Compiled();
  Diagnostics found;
  if (!compiled.error.empty()) {
    Diagnostic d;
    d.summary = "the built-in blueprint schema is broken: " + compiled.error;
    d.hint = "this is a defect in cairn itself; please report it";
    found.Add(std::move(d));
  }
  compiled.schema->Validate(bp.root, "", &found, &bp.key_locs);
  SemanticChecker(bp.root, &found).Run();
  std::vector<Diagnostic> items = found.items();
  std::stable_sort(items.begin(), items.end(), LocBefore);
  for (Diagnostic& d : items) diags->Add(std::move(d));
}

}  // namespace cairn::blueprint
