#include "engine/state/lock_info.h"

#include <cstdlib>
#include <ctime>

#include <pwd.h>
#include <unistd.h>

namespace cairn::state {
namespace {

std::string UserName() {
  if (struct passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  if (const char* u = std::getenv("USER"); u != nullptr && *u) return u;
  return "uid" + std::to_string(geteuid());
}

}  // namespace

std::string ThisHost() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

std::string NowRfc3339() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

LockInfo NewLockInfo(const std::string& operation) {
  LockInfo info;
  info.id = NewLineage();
  info.operation = operation;
  info.host = ThisHost();
  info.who = UserName() + "@" + info.host;
  info.pid = static_cast<int64_t>(getpid());
  info.created = NowRfc3339();
  return info;
}

Value LockInfoToValue(const LockInfo& info) {
  Value v = Value::EmptyMap();
  v["id"] = info.id;
  v["operation"] = info.operation;
  v["who"] = info.who;
  v["host"] = info.host;
  v["pid"] = info.pid;
  v["created"] = info.created;
  return v;
}

Result<LockInfo> LockInfoFromValue(const Value& v) {
  const Value* id = v.Find("id");
  if (!v.is_map() || id == nullptr || !id->is_string() || id->AsString().empty()) {
    return Status::Error("the lock record has no id");
  }
  LockInfo info;
  info.id = id->AsString();
  auto str = [&](const char* key, std::string* out) {
    if (const Value* f = v.Find(key); f != nullptr && f->is_string()) *out = f->AsString();
  };
  str("operation", &info.operation);
  str("who", &info.who);
  str("host", &info.host);
  str("created", &info.created);
  if (const Value* pid = v.Find("pid"); pid != nullptr && pid->is_int()) info.pid = pid->AsInt();
  return info;
}

Status LockedStatus(const LockInfo& holder) {
  std::string who = holder.who.empty() ? "an unknown user" : holder.who;
  std::string msg = "state is locked by " + who + " (pid " + std::to_string(holder.pid) +
                    ") for '" + holder.operation + "' since " + holder.created + "; lock id " +
                    holder.id;
  return Status::WithCode(
      Status::Code::kLocked, std::move(msg),
      "wait for that command to finish; if its process no longer exists and the lock stays, "
      "run 'cairn force-unlock " +
          holder.id + "'");
}

}  // namespace cairn::state
