#include "engine/lua/modules/fs_path.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

namespace cairn::lua {
namespace {

// realpath(3) into a std::string; empty on failure (errno set).
std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return "";
  return buf;
}

bool Inside(const std::string& real, const std::string& real_root) {
  if (real == real_root) return true;
  if (real_root == "/") return true;
  return real.size() > real_root.size() && real.compare(0, real_root.size(), real_root) == 0 &&
         real[real_root.size()] == '/';
}

}  // namespace

Result<ConfinedPath> Confine(const std::string& root, const std::string& rel) {
  const char* kHint = " (paths are relative to the provider's output folder)";
  if (rel.find('\0') != std::string::npos) return Status::Error("path contains a NUL byte");
  if (!rel.empty() && rel[0] == '/')
    return Status::Error("absolute path '" + rel + "' is not allowed" + kHint);
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string::npos) slash = rel.size();
    std::string part = rel.substr(start, slash - start);
    if (part == "..") return Status::Error("path '" + rel + "' must not contain '..'" + kHint);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = slash + 1;
  }
  if (parts.empty() && rel.empty()) return Status::Error("empty path" + std::string(kHint));

  ConfinedPath out;
  for (const std::string& p : parts) out.rel += (out.rel.empty() ? "" : "/") + p;
  out.abs = root;
  while (out.abs.size() > 1 && out.abs.back() == '/') out.abs.pop_back();

  struct stat st;
  if (lstat(out.abs.c_str(), &st) != 0) {
    out.abs += out.rel.empty() ? "" : "/" + out.rel;
    return out;  // the root itself does not exist yet: nothing below it can
  }
  std::string real_root = RealPath(out.abs);
  if (real_root.empty())
    return Status::Error("cannot resolve the output folder '" + root +
                         "': " + std::strerror(errno));

  std::string prefix = out.abs;
  out.exists = true;
  for (const std::string& p : parts) {
    prefix += "/" + p;
    if (lstat(prefix.c_str(), &st) != 0) {
      out.exists = false;
      break;  // the rest does not exist, so it cannot lead anywhere
    }
    std::string real = RealPath(prefix);
    if (real.empty())
      return Status::Error("path '" + rel + "' goes through a symlink that points nowhere");
    if (!Inside(real, real_root))
      return Status::Error("path '" + rel +
                           "' leads outside the output folder (through a symlink)");
  }
  if (!out.rel.empty()) out.abs += "/" + out.rel;
  return out;
}

Result<unsigned> ParseMode(const std::string& mode) {
  bool ok = (mode.size() == 3 || mode.size() == 4);
  unsigned value = 0;
  for (char c : mode) {
    if (c < '0' || c > '7') ok = false;
    value = value * 8 + static_cast<unsigned>(c - '0');
  }
  if (!ok || value > 07777)
    return Status::Error("mode '" + mode + "' is not an octal permission such as \"0644\"");
  return value;
}

std::string FormatMode(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

}  // namespace cairn::lua
