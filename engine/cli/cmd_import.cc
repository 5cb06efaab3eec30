// cairn import ADDR ID: adopt an existing object so that cairn manages it from now on.
#include <iostream>
#include <memory>

#include "engine/base/edit_distance.h"
#include "engine/cli/commands.h"
#include "engine/plan/refresh.h"

namespace cairn::cli {
namespace {

/// Arguments of import.
struct ImportArgs {
  std::string address;
  std::string id;
};

const provider::DesiredResource* FindDesired(Session& s, const std::string& address) {
  for (const provider::DesiredResource& d : s.desired())
    if (d.address == address) return &d;
  return nullptr;
}

// Checks that `a.address` can be imported; reports why not.
const provider::DesiredResource* CheckImportable(Session& s, const ImportArgs& a) {
  const provider::DesiredResource* d = FindDesired(s, a.address);
  if (d == nullptr) {
    std::vector<std::string> known;
    for (const provider::DesiredResource& r : s.desired()) known.push_back(r.address);
    std::string hint = DidYouMean(a.address, known);
    if (hint.empty())
      hint = "declare the resource in " + s.options().file +
             " first; import adopts an object for a declared resource";
    s.diags().Error({}, "", a.address + " is not declared in the blueprint", hint);
    return nullptr;
  }
  const provider::ResourceType* type = s.providers().FindType(d->type);
  if (type == nullptr || !type->has_import) {
    s.diags().Error(d->loc, "", "resources of type " + d->type + " cannot be imported",
                    "the " + d->provider +
                        " provider has no import for this type; let cairn create the object, "
                        "or delete the existing one first");
    return nullptr;
  }
  return d;
}

int RunImport(Session& s, const ImportArgs& a) {
  if (!s.LoadBlueprint() || !s.LoadProviders() || !s.Expand() || !s.OpenBackend()) {
    s.FlushDiagnostics();
    return kExitError;
  }
  const provider::DesiredResource* d = CheckImportable(s, a);
  if (d == nullptr) {
    s.FlushDiagnostics();
    return kExitError;
  }
  Result<state::LockInfo> lock = s.backend().Lock("import");
  if (!lock.ok()) {
    s.diags().AddStatus(lock.status());
    s.FlushDiagnostics();
    return kExitError;
  }
  int code = kExitError;
  do {
    Result<state::State> current = s.backend().Load();
    if (!current.ok()) {
      s.diags().AddStatus(current.status());
      break;
    }
    if (current->Find(a.address) != nullptr) {
      s.diags().Error(d->loc, "", a.address + " is already managed by cairn",
                      "to adopt another object under this address, first forget the current "
                      "one with `cairn state rm " +
                          a.address + "`");
      break;
    }
    const provider::ResourceType* type = s.providers().FindType(d->type);
    provider::Provider* p = s.providers().Find(d->provider);
    Result<Value> imported = p->Import(plan::ContextFor(a.address, type), d->type, a.id);
    if (!imported.ok()) {
      s.diags().Add({Severity::kError,
                     "import " + a.address + ": " + imported.status().message(),
                     "",
                     imported.status().hint(),
                     {},
                     "",
                     a.address});
      break;
    }
    const Value* id = imported->Find("id");
    if (!imported->is_map() || id == nullptr || !id->is_string()) {
      s.diags().Error({}, "", "import " + a.address + ": the provider returned no id",
                      "this is a bug in the " + d->provider + " provider");
      break;
    }
    state::ResourceState r;
    r.address = a.address;
    r.type = d->type;
    r.provider = d->provider;
    r.id = id->AsString();
    r.attributes = *imported;
    r.dependencies = d->depends_on;
    r.sensitive_paths = plan::SensitivePathsOf(type, r.attributes);
    r.schema_version = type->version;
    state::State next = *current;
    next.resources[a.address] = std::move(r);
    next.serial = current->serial + 1;
    Status saved = s.backend().Save(next);
    if (!saved.ok()) {
      s.diags().AddStatus(saved);
      break;
    }
    std::cout << a.address << ": Import complete (id " << id->AsString() << ").\n"
              << "cairn now manages this object. Run `cairn plan` to see how it differs from "
                 "the blueprint.\n";
    code = kExitOk;
  } while (false);
  s.FlushDiagnostics();
  Status unlocked = s.backend().Unlock(lock->id);
  if (!unlocked.ok()) std::cerr << "warning: " << unlocked.message() << "\n";
  return code;
}

}  // namespace

void AddImportCommand(CLI::App& root, std::vector<Command>* out) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd =
      root.add_subcommand("import", "Adopt an existing object for a resource in the blueprint");
  cmd->add_option("address", args->address, "Resource address declared in the blueprint")
      ->required();
  cmd->add_option("id", args->id, "The provider's id for the object (see docs/plugins.md)")
      ->required();
  cmd->footer(
      "Examples:\n"
      "  cairn import local.file.motd site/motd.txt\n"
      "  cairn import local.directory.site site && cairn plan\n\n"
      "Exit codes: 0 imported, 1 error (not declared, not importable, already managed, not "
      "found).");
  out->push_back({cmd, [args](Session& s) { return RunImport(s, *args); }});
}

void AddForceUnlockCommand(CLI::App& root, std::vector<Command>* out) {
  auto id = std::make_shared<std::string>();
  CLI::App* cmd =
      root.add_subcommand("force-unlock", "Remove a state lock left behind by a process that died");
  cmd->add_option("lock_id", *id, "The lock's id, as printed by the lock error")->required();
  cmd->footer(
      "Example:\n"
      "  cairn force-unlock 3f2a9c1e\n\n"
      "Only use it when the holder named in the lock error is really gone: two applies at once "
      "can corrupt what they manage.\n"
      "Exit codes: 0 unlocked, 1 error (no lock, or the id does not match).");
  out->push_back({cmd, [id](Session& s) {
                    if (!s.OpenBackend()) return int{kExitError};
                    Status st = s.backend().ForceUnlock(*id);
                    if (!st.ok()) {
                      s.diags().AddStatus(st);
                      s.FlushDiagnostics();
                      return int{kExitError};
                    }
                    std::cout << "The state lock " << *id << " was removed.\n";
                    return int{kExitOk};
                  }});
}

}  // namespace cairn::cli
