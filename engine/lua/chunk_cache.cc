#include "engine/lua/chunk_cache.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace cairn::lua {
namespace {

/// Bytecode by name + "\n" + text. Never freed: the process ends with it.
struct ChunkCache {
  std::mutex mu;
  std::unordered_map<std::string, std::string> dumps;
};

ChunkCache& Cache() {
  static ChunkCache* cache = new ChunkCache;
  return *cache;
}

int AppendDump(lua_State*, const void* p, size_t size, void* out) {
  try {
    static_cast<std::string*>(out)->append(static_cast<const char*>(p), size);
    return 0;
  } catch (...) {
    return 1;  // lua_dump stops and reports the failure; the chunk is then just not cached
  }
}

// The cached bytecode of `key`, or nullptr. The map's nodes never move or die, so the pointer
// stays valid without the lock.
const std::string* Find(const std::string& key) {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  auto it = c.dumps.find(key);
  return it == c.dumps.end() ? nullptr : &it->second;
}

void Store(std::string key, std::string dump) {
  ChunkCache& c = Cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.dumps.emplace(std::move(key), std::move(dump));
}

}  // namespace

int LoadSourceCached(lua_State* L, const char* text, size_t len, const char* name) {
  std::string key;
  try {
    key.reserve(std::char_traits<char>::length(name) + 1 + len);
    key.append(name).append(1, '\n').append(text, len);
  } catch (...) {
    return luaL_loadbufferx(L, text, len, name, "t");
  }
  if (const std::string* dump = Find(key))
    return luaL_loadbufferx(L, dump->data(), dump->size(), name, "b");
  int rc = luaL_loadbufferx(L, text, len, name, "t");
  if (rc != LUA_OK) return rc;
  std::string dump;
  // Not stripped: error messages and tracebacks keep their file:line.
  if (lua_dump(L, AppendDump, &dump, 0) == 0) {
    try {
      Store(std::move(key), std::move(dump));
    } catch (...) {
    }
  }
  return LUA_OK;
}

}  // namespace cairn::lua
