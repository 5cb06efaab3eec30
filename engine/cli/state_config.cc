#include "engine/cli/state_config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace cairn::cli {
namespace {
namespace fs = std::filesystem;

const Value* Field(const Value* m, const char* key) {
  return m != nullptr && m->is_map() ? m->Find(key) : nullptr;
}

std::string Str(const Value* m, const char* key) {
  const Value* f = Field(m, key);
  return f != nullptr && f->is_string() ? f->AsString() : "";
}

std::string RelativeTo(const std::string& dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || dir.empty()) return path;
  return (fs::path(dir) / path).string();
}

bool ReadKeyFile(const std::string& path, std::string* out, Diagnostics* diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags->Error({}, "", "cannot read the state key file '" + path + "'",
                 "check the path given with --state-key-file");
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  *out = text.str();
  return true;
}

// The key named by state.encryption in the blueprint: its secret resolved like every other.
bool KeyFromBlueprint(const blueprint::Blueprint& bp, const Value* enc, state::KeySpec* out,
                      Diagnostics* diags) {
  const Value* name = Field(enc, "key");
  if (name == nullptr || !name->is_string()) return true;
  const Value* ref = Field(bp.root.Find("secrets"), name->AsString().c_str());
  if (ref == nullptr) {
    diags->Error(name->loc, "state.encryption.key",
                 "secret '" + name->AsString() + "' is not declared in secrets:",
                 "declare it, e.g. " + name->AsString() + ": env:CAIRN_STATE_KEY");
    return false;
  }
  blueprint::Blueprint one;
  one.dir = bp.dir;
  one.root = Value::EmptyMap();
  one.root["secrets"][name->AsString()] = *ref;
  Value resolved = blueprint::ResolveSecrets(one, diags);
  const Value* secret = resolved.Find(name->AsString());
  if (secret == nullptr || !secret->is_string()) return false;
  std::string kdf = Str(enc, "kdf");
  out->kind = kdf == "raw" ? state::KeySpec::Kind::kRawKey : state::KeySpec::Kind::kPassphrase;
  out->kdf = kdf == "raw" || kdf.empty() ? "scrypt" : kdf;
  out->secret = secret->AsString();
  out->origin =
      "secret '" + name->AsString() + "' (" + (ref->is_string() ? ref->AsString() : "") + ")";
  return true;
}

}  // namespace

void AddStateFlags(CLI::App& app, StateFlags* f) {
  app.add_option("--state-backend", f->backend, "State backend: local or etcd (default: blueprint)")
      ->check(CLI::IsMember({"local", "etcd"}));
  app.add_option("--etcd-endpoint", f->endpoints, "etcd client URL (repeatable or comma-separated)")
      ->delimiter(',');
  app.add_option("--etcd-prefix", f->prefix, "etcd key prefix of the state (default /cairn/)");
  app.add_option("--etcd-ca", f->ca, "CA certificate for etcd (PEM)");
  app.add_option("--etcd-cert", f->cert, "Client certificate for etcd (PEM)");
  app.add_option("--etcd-key", f->key, "Client key for etcd (PEM)");
  app.add_option("--etcd-lock-ttl", f->lock_ttl,
                 "Seconds the etcd state lock outlives a crashed holder (default 15)")
      ->check(CLI::Range(1, 3600));
  app.add_option("--state-key-env", f->key_env,
                 "Encrypt the state with the passphrase in this environment variable");
  app.add_option("--state-key-file", f->key_file,
                 "Encrypt the state with the passphrase (or raw key) in this file");
  app.add_option("--state-kdf", f->kdf,
                 "How the key is made: scrypt (default), pbkdf2, or raw (a 32-byte key file)")
      ->check(CLI::IsMember({"scrypt", "pbkdf2", "raw"}));
}

bool KeyFromFlags(const std::string& env, const std::string& file, const std::string& kdf,
                  state::KeySpec* out, Diagnostics* diags) {
  if (!env.empty() && !file.empty()) {
    diags->Error({}, "",
                 "give the state key either in an environment variable or in a file, "
                 "not both");
    return false;
  }
  if (env.empty() && file.empty()) return true;
  out->kind = kdf == "raw" ? state::KeySpec::Kind::kRawKey : state::KeySpec::Kind::kPassphrase;
  out->kdf = kdf == "raw" || kdf.empty() ? "scrypt" : kdf;
  if (!env.empty()) {
    const char* v = std::getenv(env.c_str());
    if (v == nullptr) {
      diags->Error({}, "", "environment variable '" + env + "' (the state key) is not set",
                   "export " + env + "=... before running cairn");
      return false;
    }
    out->secret = v;
    out->origin = "env " + env;
    return true;
  }
  if (!ReadKeyFile(file, &out->secret, diags)) return false;
  if (out->kind == state::KeySpec::Kind::kPassphrase && !out->secret.empty() &&
      out->secret.back() == '\n') {
    out->secret.pop_back();  // editors end files with a newline; a passphrase never does
  }
  out->origin = "file " + file;
  return true;
}

bool ResolveStateConfig(const blueprint::Blueprint& bp, const StateFlags& flags,
                        const std::string& default_dir, state::BackendConfig* out,
                        Diagnostics* diags) {
  const Value* st = bp.root.is_map() ? bp.root.Find("state") : nullptr;
  out->backend = Str(st, "backend");
  if (out->backend.empty()) out->backend = "local";
  std::string path = Str(st, "path");
  // An older spelling named the file; the backend wants its directory.
  const std::string file = "/state.json";
  if (path.size() > file.size() && path.compare(path.size() - file.size(), file.size(), file) == 0)
    path.resize(path.size() - file.size());
  out->dir = path.empty() ? default_dir : RelativeTo(bp.dir, path);
  if (const Value* eps = Field(st, "endpoints"); eps != nullptr && eps->is_list()) {
    for (const Value& e : eps->AsList())
      if (e.is_string()) out->etcd.endpoints.push_back(e.AsString());
  }
  if (std::string p = Str(st, "prefix"); !p.empty()) out->etcd.prefix = p;
  const Value* tls = Field(st, "tls");
  out->etcd.ca = RelativeTo(bp.dir, Str(tls, "ca"));
  out->etcd.cert = RelativeTo(bp.dir, Str(tls, "cert"));
  out->etcd.key = RelativeTo(bp.dir, Str(tls, "key"));
  if (const Value* ttl = Field(st, "lock_ttl"); ttl != nullptr && ttl->is_int()) {
    out->etcd.lock_ttl_seconds = static_cast<int>(ttl->AsInt());
  }
  if (!KeyFromBlueprint(bp, Field(st, "encryption"), &out->key, diags)) return false;

  // Flags override the blueprint, one setting at a time.
  if (!flags.endpoints.empty()) out->etcd.endpoints = flags.endpoints;
  if (!flags.prefix.empty()) out->etcd.prefix = flags.prefix;
  if (!flags.ca.empty()) out->etcd.ca = flags.ca;
  if (!flags.cert.empty()) out->etcd.cert = flags.cert;
  if (!flags.key.empty()) out->etcd.key = flags.key;
  if (flags.lock_ttl > 0) out->etcd.lock_ttl_seconds = flags.lock_ttl;
  if (!flags.backend.empty()) out->backend = flags.backend;
  if (!flags.key_env.empty() || !flags.key_file.empty()) {
    out->key = state::KeySpec();
    if (!KeyFromFlags(flags.key_env, flags.key_file, flags.kdf, &out->key, diags)) return false;
  } else if (!flags.kdf.empty() && out->key.kind != state::KeySpec::Kind::kNone) {
    out->key.kind =
        flags.kdf == "raw" ? state::KeySpec::Kind::kRawKey : state::KeySpec::Kind::kPassphrase;
    if (flags.kdf != "raw") out->key.kdf = flags.kdf;
  }
  return true;
}

}  // namespace cairn::cli
