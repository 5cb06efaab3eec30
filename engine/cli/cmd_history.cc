// cairn history: the applies recorded in the state, newest last.
#include <cstdio>
#include <iostream>
#include <memory>

#include "engine/cli/commands.h"
#include "engine/cli/json_view.h"
#include "engine/state/history.h"

namespace cairn::cli {
namespace {

std::string Counts(const state::ApplyRecord& r) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "+%d ~%d -/+%d -%d", r.added, r.changed, r.replaced, r.deleted);
  return buf;
}

// The commit column: short id, "(dirty)" when uncommitted changes went live, and its subject
// when the repository still has the commit.
std::string CommitText(const state::ApplyRecord& r, const GitSource* g) {
  if (r.commit.empty()) return "-";
  std::string out = r.commit.substr(0, 12);
  if (r.dirty) out += " (dirty)";
  if (g != nullptr && g->in_repo()) {
    Result<git::CommitInfo> c = g->repo->Resolve(r.commit);
    if (c.ok()) out += " " + c->summary;
  }
  return out;
}

nlohmann::json RecordJson(const state::ApplyRecord& r) {
  nlohmann::json j;
  j["serial"] = r.serial;
  j["time"] = r.time;
  j["user"] = r.user;
  j["operation"] = r.operation;
  j["commit"] = r.commit;
  j["dirty"] = r.dirty;
  j["changes"] = {
      {"add", r.added}, {"change", r.changed}, {"replace", r.replaced}, {"delete", r.deleted}};
  j["result"] = r.result;
  return j;
}

int RunHistory(Session& s) {
  nlohmann::json doc = JsonDocument("history");
  auto finish = [&](int code) {
    if (s.json()) PrintJson(std::move(doc), s.TakeJsonDiagnostics());
    return code;
  };
  if (!s.LoadBlueprint(/*resolve_secrets=*/false) || !s.OpenBackend()) {
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  Result<state::State> st = s.backend().Load();
  if (!st.ok()) {
    s.diags().AddStatus(st.status());
    s.FlushDiagnostics();
    return finish(kExitError);
  }
  std::vector<state::ApplyRecord> records = state::ApplyHistory(*st);
  if (s.json()) {
    nlohmann::json list = nlohmann::json::array();
    for (const state::ApplyRecord& r : records) list.push_back(RecordJson(r));
    doc["applies"] = std::move(list);
    return finish(kExitOk);
  }
  if (records.empty()) {
    std::cout << "No applies recorded yet.\n";
    return kExitOk;
  }
  s.OpenGit("");  // only for commit subjects; outside a repository there are none
  s.diags() = Diagnostics();
  std::printf("%-6s  %-20s  %-16s  %-8s  %-20s  %-11s  %s\n", "SERIAL", "TIME", "USER", "OP",
              "CHANGES", "RESULT", "COMMIT");
  for (const state::ApplyRecord& r : records) {
    std::printf("%-6llu  %-20s  %-16s  %-8s  %-20s  %-11s  %s\n",
                static_cast<unsigned long long>(r.serial), r.time.c_str(), r.user.c_str(),
                r.operation.c_str(), Counts(r).c_str(), r.result.c_str(),
                CommitText(r, s.git()).c_str());
  }
  return kExitOk;
}

}  // namespace

void AddHistoryCommand(CLI::App& root, std::vector<Command>* out) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = root.add_subcommand("history", "List the applies recorded in the state");
  cmd->add_flag("--json", *json, "Print one JSON document on stdout (see docs/json.md)");
  cmd->footer(
      "Columns: state serial, time (UTC), user@host, operation, changes (+add ~change "
      "-/+replace -delete), result, commit (short id, (dirty) when uncommitted changes were "
      "applied, and its subject).\n\n"
      "Examples:\n"
      "  cairn history\n"
      "  cairn history --json | jq '.applies[-1].commit'\n\n"
      "Exit codes: 0 success, 1 error.");
  out->push_back({cmd, [json](Session& s) {
                    s.set_json(*json);
                    return RunHistory(s);
                  }});
}

}  // namespace cairn::cli
