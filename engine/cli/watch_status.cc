#include "engine/cli/watch_status.h"

#include <filesystem>

#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "engine/state/file_io.h"

namespace cairn::cli {
namespace {

nlohmann::json DecisionJson(const WatchOutputs& out, const WatchDecision& d) {
  nlohmann::json j;
  j["time"] = d.time;
  j["remote"] = out.remote;
  j["branch"] = out.branch;
  j["commit"] = d.commit;
  j["subject"] = d.subject;
  j["decision"] = d.decision;
  j["reason"] = d.reason;
  j["changes"] = {{"add", d.plan.added},
                  {"change", d.plan.changed},
                  {"replace", d.plan.replaced},
                  {"delete", d.plan.deleted}};
  j["summary"] = CountsText(d.plan);
  j["live_commit"] = out.live_commit;
  j["consecutive_failures"] = d.failures;
  j["next_check_seconds"] = d.next_check_seconds;
  return j;
}

}  // namespace

std::string CountsText(const ApplyReport& r) {
  return std::to_string(r.added) + " to add, " + std::to_string(r.changed) + " to change, " +
         std::to_string(r.replaced) + " to replace, " + std::to_string(r.deleted) + " to destroy";
}

Status RecordDecision(const WatchOutputs& out, const WatchDecision& d) {
  nlohmann::json j = DecisionJson(out, d);
  if (!out.log_file.empty()) {
    std::filesystem::path dir = std::filesystem::path(out.log_file).parent_path();
    if (!dir.empty()) {
      Status made = state::MakeDirs(dir.string(), 0700);
      if (!made.ok()) return made;
    }
    int fd = open(out.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return state::ErrnoStatus("cannot open the decision log", out.log_file, errno);
    std::string line = j.dump() + "\n";
    bool ok = state::WriteAll(fd, line.data(), line.size()) && fdatasync(fd) == 0;
    int err = errno;
    close(fd);
    if (!ok) return state::ErrnoStatus("cannot append to", out.log_file, err);
  }
  if (out.status_file.empty()) return Status::Ok();
  nlohmann::json status = j;
  status["kind"] = "cairn-watch-status";
  std::filesystem::path dir = std::filesystem::path(out.status_file).parent_path();
  if (!dir.empty()) {
    Status made = state::MakeDirs(dir.string(), 0700);
    if (!made.ok()) return made;
  }
  return state::ReplaceFileAtomically(out.status_file, status.dump(2) + "\n", 0644);
}

}  // namespace cairn::cli
