// host.fs: files under the provider's output folder only (HostContext::fs_root).
//
// Every path goes through Confine() first. Writes are atomic: the content goes to a temporary
// file in the same folder, which is synced and renamed over the target, and the folder is synced
// so that the rename itself survives a crash.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/lua/binding.h"
#include "engine/lua/host_context.h"
#include "engine/lua/modules/fs_path.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

constexpr size_t kMaxReadSize = size_t{64} << 20;
constexpr unsigned kDefaultFileMode = 0644;
constexpr unsigned kDefaultDirMode = 0755;

[[noreturn]] void Fail(const char* fname, const std::string& message) {
  throw BindingError{std::string("fs.") + fname + ": " + message};
}

[[noreturn]] void FailErrno(const char* fname, const std::string& what, const std::string& rel) {
  Fail(fname, "cannot " + what + " '" + rel + "': " + std::strerror(errno));
}

std::string Root(Args& a) {
  HostContext* ctx = GetHostContext(a.state());
  if (ctx == nullptr || ctx->fs_root.empty())
    Fail(a.fname(),
         "this plugin has no output folder (host.fs is available only to providers "
         "whose settings name one)");
  return ctx->fs_root;
}

ConfinedPath Resolve(Args& a, int index) {
  std::string rel = a.String(index);
  Result<ConfinedPath> p = Confine(Root(a), rel);
  if (!p.ok()) Fail(a.fname(), p.status().message());
  return std::move(p).value();
}

unsigned ModeArg(Args& a, int index, unsigned fallback) {
  if (a.IsNoneOrNil(index)) return fallback;
  Result<unsigned> mode = ParseMode(a.String(index));
  if (!mode.ok()) a.Fail(index, mode.status().message());
  return *mode;
}

/// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// mkdir -p for `abs`, whose part from `root` on is being created. New folders get `mode`.
void MakeDirs(const char* fname, const std::string& root, const std::string& rel, unsigned mode) {
  std::string path = root;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    // The output folder itself may be missing on first use; create it like `mkdir -p`.
    std::string partial;
    size_t start = 1;
    while (start <= path.size()) {
      size_t slash = path.find('/', start);
      if (slash == std::string::npos) slash = path.size();
      partial = path.substr(0, slash);
      if (mkdir(partial.c_str(), kDefaultDirMode) != 0 && errno != EEXIST)
        FailErrno(fname, "create the output folder", path);
      start = slash + 1;
    }
  }
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string::npos) slash = rel.size();
    std::string prefix = path + "/" + rel.substr(0, slash);
    if (mkdir(prefix.c_str(), mode) == 0) {
      if (chmod(prefix.c_str(), mode) != 0) FailErrno(fname, "set the mode of", rel);
    } else if (errno != EEXIST) {
      FailErrno(fname, "create folder", rel.substr(0, slash));
    } else if (stat(prefix.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      Fail(fname, "'" + rel.substr(0, slash) + "' exists and is not a folder");
    }
    start = slash + 1;
  }
}

int Read(lua_State* L) {
  return Bind(L, "read", [](Args& a, Returns& r) {
    ConfinedPath p = Resolve(a, 1);
    Fd fd(open(p.abs.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        r.emplace_back();
        return;
      }
      FailErrno("read", "read", p.rel);
    }
    struct stat st;
    if (fstat(fd.get(), &st) != 0) FailErrno("read", "read", p.rel);
    if (!S_ISREG(st.st_mode)) Fail("read", "'" + p.rel + "' is not a file");
    if (static_cast<size_t>(st.st_size) > kMaxReadSize)
      Fail("read", "'" + p.rel + "' is larger than 64 MiB");
    std::string content;
    content.resize(static_cast<size_t>(st.st_size));
    size_t got = 0;
    while (got < content.size()) {
      ssize_t n = read(fd.get(), content.data() + got, content.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) FailErrno("read", "read", p.rel);
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    content.resize(got);
    r.emplace_back(std::move(content));
  });
}

int Write(lua_State* L) {
  return Bind(L, "write", [](Args& a, Returns& r) {
    ConfinedPath p = Resolve(a, 1);
    std::string content = a.String(2);
    unsigned mode = ModeArg(a, 3, kDefaultFileMode);
    if (p.rel.empty()) Fail("write", "cannot write the output folder itself");
    size_t slash = p.rel.rfind('/');
    std::string parent_rel = slash == std::string::npos ? "" : p.rel.substr(0, slash);
    MakeDirs("write", Root(a), parent_rel, kDefaultDirMode);
    // The folders just made are inside the root, but check again now that they exist.
    p = Resolve(a, 1);
    struct stat st;
    if (p.exists && stat(p.abs.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      Fail("write", "'" + p.rel + "' is a folder");

    std::string dir = p.abs.substr(0, p.abs.rfind('/'));
    std::string name = p.abs.substr(p.abs.rfind('/') + 1);
    std::string tmpl = dir + "/." + name + ".cairn-XXXXXX";
    std::vector<char> tmp(tmpl.begin(), tmpl.end());
    tmp.push_back('\0');
    Fd fd(mkostemp(tmp.data(), O_CLOEXEC));
    if (fd.get() < 0) FailErrno("write", "create a temporary file for", p.rel);
    std::string tmp_path = tmp.data();
    bool ok = true;
    size_t done = 0;
    while (ok && done < content.size()) {
      ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        ok = false;
      else
        done += static_cast<size_t>(n);
    }
    ok = ok && fchmod(fd.get(), mode) == 0 && fsync(fd.get()) == 0;
    ok = close(fd.Release()) == 0 && ok;
    if (ok) ok = rename(tmp_path.c_str(), p.abs.c_str()) == 0;
    if (!ok) {
      int saved = errno;
      unlink(tmp_path.c_str());
      errno = saved;
      FailErrno("write", "write", p.rel);
    }
    Fd dfd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() >= 0) fsync(dfd.get());
    r.emplace_back(true);
  });
}

int Stat(lua_State* L) {
  return Bind(L, "stat", [](Args& a, Returns& r) {
    ConfinedPath p = Resolve(a, 1);
    struct stat st;
    if (stat(p.abs.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        r.emplace_back();
        return;
      }
      FailErrno("stat", "stat", p.rel);
    }
    Value::Map info;
    info["type"] = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : "other";
    info["size"] = static_cast<int64_t>(st.st_size);
    info["mode"] = FormatMode(st.st_mode);
    info["mtime"] = static_cast<int64_t>(st.st_mtime);
    r.emplace_back(std::move(info));
  });
}

int Mkdir(lua_State* L) {
  return Bind(L, "mkdir", [](Args& a, Returns& r) {
    ConfinedPath p = Resolve(a, 1);
    unsigned mode = ModeArg(a, 2, kDefaultDirMode);
    MakeDirs("mkdir", Root(a), p.rel, mode);
    Resolve(a, 1);
    r.emplace_back(true);
  });
}

int Remove(lua_State* L) {
  return Bind(L, "remove", [](Args& a, Returns& r) {
    ConfinedPath p = Resolve(a, 1);
    if (p.rel.empty()) Fail("remove", "cannot remove the output folder itself");
    struct stat st;
    if (lstat(p.abs.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        r.emplace_back(false);
        return;
      }
      FailErrno("remove", "remove", p.rel);
    }
    if (S_ISDIR(st.st_mode)) {
      if (rmdir(p.abs.c_str()) != 0) {
        if (errno == ENOTEMPTY || errno == EEXIST)
          Fail("remove", "folder '" + p.rel + "' is not empty");
        FailErrno("remove", "remove", p.rel);
      }
    } else if (unlink(p.abs.c_str()) != 0) {
      FailErrno("remove", "remove", p.rel);
    }
    r.emplace_back(true);
  });
}

int List(lua_State* L) {
  return Bind(L, "list", [](Args& a, Returns& r) {
    ConfinedPath p = Resolve(a, 1);
    std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir(p.abs.c_str()), closedir);
    if (dir == nullptr) {
      if (errno == ENOENT) {
        r.emplace_back();
        return;
      }
      if (errno == ENOTDIR) Fail("list", "'" + p.rel + "' is not a folder");
      FailErrno("list", "list", p.rel);
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(dir.get())) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    std::sort(names.begin(), names.end());
    Value::List list;
    for (std::string& n : names) list.emplace_back(std::move(n));
    r.emplace_back(std::move(list));
  });
}

int Chmod(lua_State* L) {
  return Bind(L, "chmod", [](Args& a, Returns& r) {
    ConfinedPath p = Resolve(a, 1);
    unsigned mode = ModeArg(a, 2, 0);
    if (a.IsNoneOrNil(2)) a.Fail(2, "mode expected, such as \"0644\"");
    if (chmod(p.abs.c_str(), mode) != 0) FailErrno("chmod", "change the mode of", p.rel);
    r.emplace_back(true);
  });
}

}  // namespace

int OpenFsModule(lua_State* L) {
  static const luaL_Reg kFunctions[] = {{"read", Read},   {"write", Write},   {"stat", Stat},
                                        {"mkdir", Mkdir}, {"remove", Remove}, {"list", List},
                                        {"chmod", Chmod}, {nullptr, nullptr}};
  luaL_newlib(L, kFunctions);
  return 1;
}

}  // namespace cairn::lua
