// cairn state list/show/rm/mv: look at and edit what cairn remembers, without touching any live
// object. Edits take the lock, bump the serial and leave the previous snapshot in backups/.
#include <functional>
#include <iostream>
#include <memory>

#include "engine/base/edit_distance.h"
#include "engine/base/term.h"
#include "engine/cli/commands.h"
#include "engine/cli/json_view.h"
#include "engine/plan/render.h"

namespace cairn::cli {
namespace {

/// Arguments of the state sub-commands.
struct StateArgs {
  std::string prefix;                  // list
  std::string address;                 // show
  std::vector<std::string> addresses;  // rm
  std::string from, to;                // mv
  bool json = false;
};

std::vector<std::string> Addresses(const state::State& st) {
  std::vector<std::string> out;
  for (const auto& [a, r] : st.resources) out.push_back(a);
  return out;
}

// Adds "address is not in the state" with a did-you-mean hint.
void NotInState(Session& s, const state::State& st, const std::string& address) {
  std::string hint = DidYouMean(address, Addresses(st));
  if (hint.empty()) hint = "`cairn state list` shows the addresses in the state";
  s.diags().Error({}, "", address + " is not in the state", hint);
}

// Loads the state without the lock (for reading).
bool LoadState(Session& s, state::State* out) {
  if (!s.OpenBackend()) return false;
  Result<state::State> st = s.backend().Load();
  if (!st.ok()) {
    s.diags().AddStatus(st.status());
    return false;
  }
  *out = std::move(*st);
  return true;
}

// Runs `edit` on the locked state and saves the result with the next serial. `edit` returns
// false (after adding diagnostics) to leave the state as it was.
int EditState(Session& s, const std::string& operation,
              const std::function<bool(state::State*)>& edit) {
  if (!s.OpenBackend()) return kExitError;
  Result<state::LockInfo> lock = s.backend().Lock(operation);
  if (!lock.ok()) {
    s.diags().AddStatus(lock.status());
    s.FlushDiagnostics();
    return kExitError;
  }
  int code = kExitError;
  Result<state::State> st = s.backend().Load();
  if (!st.ok()) {
    s.diags().AddStatus(st.status());
  } else {
    uint64_t old_serial = st->serial;
    if (edit(&*st)) {
      st->serial = old_serial + 1;
      Status saved = s.backend().Save(*st);
      if (saved.ok()) {
        std::cout << "State serial " << old_serial << " -> " << st->serial
                  << "; the previous state is kept in the backups (history).\n";
        code = kExitOk;
      } else {
        s.diags().AddStatus(saved);
      }
    }
  }
  s.FlushDiagnostics();
  Status unlocked = s.backend().Unlock(lock->id);
  if (!unlocked.ok()) std::cerr << "warning: " << unlocked.message() << "\n";
  return code;
}

int RunList(Session& s, const StateArgs& a) {
  state::State st;
  bool ok = LoadState(s, &st);
  s.FlushDiagnostics();
  if (s.json()) {
    nlohmann::json doc = JsonDocument("state list");
    nlohmann::json list = nlohmann::json::array();
    if (ok)
      for (const auto& [address, r] : st.resources)
        if (address.rfind(a.prefix, 0) == 0)
          list.push_back({{"address", address}, {"type", r.type}, {"id", r.id}});
    doc["resources"] = std::move(list);
    doc["serial"] = st.serial;
    PrintJson(std::move(doc), s.TakeJsonDiagnostics());
    return ok ? kExitOk : kExitError;
  }
  if (!ok) return kExitError;
  for (const auto& [address, r] : st.resources)
    if (address.rfind(a.prefix, 0) == 0) std::cout << address << "\n";
  return kExitOk;
}

int RunShowOne(Session& s, const StateArgs& a) {
  state::State st;
  bool ok = LoadState(s, &st);
  const state::ResourceState* r = ok ? st.Find(a.address) : nullptr;
  if (ok && r == nullptr) NotInState(s, st, a.address);
  s.FlushDiagnostics();
  if (s.json()) {
    nlohmann::json doc = JsonDocument("state show");
    doc["resource"] = r ? ResourceJson(*r) : nlohmann::json();
    PrintJson(std::move(doc), s.TakeJsonDiagnostics());
  } else if (r != nullptr) {
    state::State one;
    one.resources[r->address] = *r;
    std::cout << plan::RenderState(one, s.color_out());
  }
  return r ? kExitOk : kExitError;
}

int RunRm(Session& s, const StateArgs& a) {
  return EditState(s, "state rm", [&](state::State* st) {
    for (const std::string& address : a.addresses)
      if (st->Find(address) == nullptr) NotInState(s, *st, address);
    if (s.diags().has_errors()) return false;
    for (const std::string& address : a.addresses) {
      st->resources.erase(address);
      for (auto& [other, r] : st->resources) std::erase(r.dependencies, address);
      std::cout << "Removed " << address << " from the state; the object itself was not touched.\n";
    }
    return true;
  });
}

int RunMv(Session& s, const StateArgs& a) {
  return EditState(s, "state mv", [&](state::State* st) {
    std::string from_provider, from_type, from_name, to_provider, to_type, to_name;
    if (!provider::SplitAddress(a.to, &to_provider, &to_type, &to_name)) {
      s.diags().Error({}, "", "'" + a.to + "' is not a resource address",
                      "an address is <provider>.<type>.<name>, e.g. local.file.motd");
      return false;
    }
    const state::ResourceState* from = st->Find(a.from);
    if (from == nullptr) {
      NotInState(s, *st, a.from);
      return false;
    }
    if (st->Find(a.to) != nullptr) {
      s.diags().Error({}, "", a.to + " is already in the state",
                      "remove it first with `cairn state rm " + a.to + "` if it is obsolete");
      return false;
    }
    if (to_type != from->type) {
      s.diags().Error(
          {}, "",
          "cannot move " + a.from + " (a " + from->type + ") to " + a.to + " (a " + to_type + ")",
          "a move renames a resource; its type must stay " + from->type);
      return false;
    }
    state::ResourceState moved = *from;
    moved.address = a.to;
    st->resources.erase(a.from);
    st->resources[a.to] = std::move(moved);
    for (auto& [other, r] : st->resources)
      for (std::string& dep : r.dependencies)
        if (dep == a.from) dep = a.to;
    std::cout << "Moved " << a.from << " to " << a.to << ".\n";
    return true;
  });
}

}  // namespace

void AddStateCommand(CLI::App& root, std::vector<Command>* out) {
  auto args = std::make_shared<StateArgs>();
  CLI::App* state = root.add_subcommand(
      "state", "Inspect, edit, move and re-encrypt the state (list, show, rm, mv, migrate, rekey)");
  state->require_subcommand(1);
  state->footer(
      "Examples:\n"
      "  cairn state list\n"
      "  cairn state show local.file.motd\n"
      "  cairn state rm local.file.old\n"
      "  cairn state mv local.file.motd local.file.banner\n"
      "  cairn state migrate --to etcd --to-etcd-endpoint http://10.0.0.1:2379\n"
      "  cairn state rekey --new-key-env NEW_STATE_KEY\n\n"
      "Exit codes: 0 success, 1 error.");

  CLI::App* list = state->add_subcommand("list", "List the addresses in the state");
  list->add_option("prefix", args->prefix, "Only addresses starting with this");
  list->add_flag("--json", args->json, "Print one JSON document on stdout (see docs/json.md)");
  list->footer(
      "Examples:\n  cairn state list\n  cairn state list local.file\n  cairn state list --json");
  out->push_back({list, [args](Session& s) {
                    s.set_json(args->json);
                    return RunList(s, *args);
                  }});

  CLI::App* show = state->add_subcommand("show", "Print one resource as recorded in the state");
  show->add_option("address", args->address, "Resource address")->required();
  show->add_flag("--json", args->json, "Print one JSON document on stdout (see docs/json.md)");
  show->footer("Example:\n  cairn state show local.file.motd");
  out->push_back({show, [args](Session& s) {
                    s.set_json(args->json);
                    return RunShowOne(s, *args);
                  }});

  CLI::App* rm = state->add_subcommand(
      "rm", "Forget resources without deleting them (cairn stops managing them)");
  rm->add_option("addresses", args->addresses, "Resource addresses")->required();
  rm->footer(
      "Examples:\n  cairn state rm local.file.old\n  cairn state rm local.file.a local.file.b");
  out->push_back({rm, [args](Session& s) { return RunRm(s, *args); }});

  CLI::App* mv = state->add_subcommand(
      "mv", "Rename an address in the state (after renaming the resource in the blueprint)");
  mv->add_option("from", args->from, "Current address")->required();
  mv->add_option("to", args->to, "New address (same type)")->required();
  mv->footer("Example:\n  cairn state mv local.file.motd local.file.banner");
  out->push_back({mv, [args](Session& s) { return RunMv(s, *args); }});

  AddStateMoveCommands(state, out);
}

}  // namespace cairn::cli
