#include "engine/lua/modules/json_decode.h"

#include <cstring>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/lua/binding.h"
#include "engine/lua/modules/json_lua.h"
#include "engine/lua/modules/json_scan.h"

namespace cairn::lua {
namespace {

using Json = nlohmann::json;
using Kind = JsonTape::Kind;
using Event = JsonTape::Event;

// Appends the events of the members it keeps to a tape. Both readers drive it: ScanJson through
// the capitalised methods, nlohmann's SAX parser through the lower-case ones.
class TapeWriter {
 public:
  // `parent`: the name of the member whose value the document is, for "parent.key" drops at its
  // top level ("": none, a whole document).
  TapeWriter(const std::vector<JsonDropKey>& drop, JsonTape* tape, std::string_view parent)
      : drop_(drop), tape_(*tape), top_named_(!parent.empty()) {
    if (top_named_) {  // kept in chars like a key, though no event refers to it
      key_offset_ = tape_.chars.size();
      key_size_ = parent.size();
      tape_.chars.append(parent.data(), parent.size());
    }
  }

  const std::string& error() const { return error_; }

  void Null() { Scalar(Kind::kNull, 0); }
  void Bool(bool b) { Scalar(b ? Kind::kTrue : Kind::kFalse, 0); }
  void Integer(int64_t i) { Scalar(Kind::kInteger, i); }
  void Unsigned(uint64_t u) {
    // Beyond int64 a JSON integer becomes a Lua float, as Lua has no unsigned integers.
    if (u <= static_cast<uint64_t>(INT64_MAX))
      return Scalar(Kind::kInteger, static_cast<int64_t>(u));
    Float(static_cast<double>(u));
  }
  void Float(double d) {
    if (Keep()) Add(Kind::kFloat).number = d;
  }
  void String(std::string_view s) {
    if (Keep()) AddChars(Kind::kString, s);
  }
  void Key(std::string_view k) {
    if (skip_depth_ > 0 || tape_.too_deep) return;
    if (Dropped(frames_.back(), k)) {
      skip_next_ = true;
      return;
    }
    key_offset_ = tape_.chars.size();
    key_size_ = k.size();
    AddChars(Kind::kKey, k);
  }
  void StartObject() { Open(Kind::kObject); }
  void StartArray() { Open(Kind::kArray); }
  void EndObject() { Close(); }
  void EndArray() { Close(); }

  bool null() { return Null(), true; }
  bool boolean(bool b) { return Bool(b), true; }
  bool number_integer(Json::number_integer_t i) { return Integer(i), true; }
  bool number_unsigned(Json::number_unsigned_t u) { return Unsigned(u), true; }
  bool number_float(Json::number_float_t d, const Json::string_t& /*text*/) {
    return Float(d), true;
  }
  bool string(Json::string_t& s) { return String(s), true; }
  bool binary(Json::binary_t& /*b*/) { return Null(), true; }  // never in JSON text
  bool key(Json::string_t& k) { return Key(k), true; }
  bool start_object(std::size_t /*n*/) { return StartObject(), true; }
  bool start_array(std::size_t /*n*/) { return StartArray(), true; }
  bool end_object() { return EndObject(), true; }
  bool end_array() { return EndArray(), true; }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    return false;
  }

 private:
  // An open array or object that is kept: where its event is, and the member name it is the
  // value of (none inside an array or at the top).
  struct Frame {
    size_t event;
    bool is_object;
    bool named;
    uint64_t name_offset;
    uint64_t name_size;
  };

  bool Dropped(const Frame& f, std::string_view key) const {
    for (const JsonDropKey& d : drop_) {
      if (d.key != key) continue;
      if (d.parent.empty()) return true;
      if (f.named && std::string_view(tape_.chars.data() + f.name_offset, f.name_size) == d.parent)
        return true;
    }
    return false;
  }

  // Whether the value that starts now is recorded; counts it in its container if so.
  bool Keep() {
    if (skip_depth_ > 0 || tape_.too_deep) return false;
    if (skip_next_) {
      skip_next_ = false;
      return false;
    }
    if (frames_.size() > static_cast<size_t>(kJsonMaxDepth)) {
      // Reading goes on, so that a syntax error later in the text is still what is reported.
      tape_.too_deep = true;
      return false;
    }
    if (!frames_.empty()) ++tape_.events[frames_.back().event].size;
    return true;
  }

  Event& Add(Kind kind) {
    tape_.events.push_back(Event{kind, 0, {0}});
    return tape_.events.back();
  }

  void AddChars(Kind kind, std::string_view s) {
    Event& e = Add(kind);
    e.size = s.size();
    e.offset = tape_.chars.size();
    tape_.chars.append(s.data(), s.size());
  }

  void Scalar(Kind kind, int64_t i) {
    if (Keep()) Add(kind).integer = i;
  }

  void Open(Kind kind) {
    // A dropped member is read but not recorded, as is the rest of a too deep document.
    if (skip_next_ || skip_depth_ > 0) {
      skip_next_ = false;
      ++skip_depth_;
      return;
    }
    if (!Keep()) return;
    bool named = frames_.empty() ? top_named_ : frames_.back().is_object;
    frames_.push_back(
        Frame{tape_.events.size(), kind == Kind::kObject, named, key_offset_, key_size_});
    Add(kind);
  }

  void Close() {
    if (tape_.too_deep) return;
    if (skip_depth_ > 0) {
      --skip_depth_;
      return;
    }
    frames_.pop_back();
    Add(Kind::kEnd);
  }

  const std::vector<JsonDropKey>& drop_;
  JsonTape& tape_;
  std::vector<Frame> frames_;
  std::string error_;
  int skip_depth_ = 0;                      // open containers inside a dropped member
  bool skip_next_ = false;                  // the next value is a dropped member's
  uint64_t key_offset_ = 0, key_size_ = 0;  // the last kept key, in chars
  bool top_named_ = false;
};

int SizeHint(uint64_t n) { return n < (1u << 26) ? static_cast<int>(n) : (1 << 26); }

}  // namespace

namespace internal {

void PushJsonTape(lua_State* L, const JsonTape& tape) {
  if (tape.too_deep) luaL_error(L, "document nested more than %d levels deep", kJsonMaxDepth);
  luaL_checkstack(L, 2 * kJsonMaxDepth + 8, "document nested too deeply");
  lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  int array_meta = lua_gettop(L);
  // Per open container: whether it is an array, and the index its next item takes.
  bool is_array[kJsonMaxDepth + 2] = {};
  lua_Integer next[kJsonMaxDepth + 2] = {};
  int depth = 0;
  const char* chars = tape.chars.data();
  for (const Event& e : tape.events) {
    switch (e.kind) {
      case Kind::kNull: PushJsonNull(L); break;
      case Kind::kTrue: lua_pushboolean(L, 1); break;
      case Kind::kFalse: lua_pushboolean(L, 0); break;
      case Kind::kInteger: lua_pushinteger(L, e.integer); break;
      case Kind::kFloat: lua_pushnumber(L, e.number); break;
      case Kind::kString: lua_pushlstring(L, chars + e.offset, e.size); break;
      case Kind::kKey: lua_pushlstring(L, chars + e.offset, e.size); continue;
      case Kind::kArray:
      case Kind::kObject:
        if (depth > kJsonMaxDepth)
          luaL_error(L, "document nested more than %d levels deep", kJsonMaxDepth);
        is_array[depth] = e.kind == Kind::kArray;
        next[depth] = 1;
        ++depth;
        if (e.kind == Kind::kArray)
          lua_createtable(L, SizeHint(e.size), 0);
        else
          lua_createtable(L, 0, SizeHint(e.size));
        continue;
      case Kind::kEnd:
        --depth;
        if (is_array[depth]) {
          lua_pushvalue(L, array_meta);
          lua_setmetatable(L, -2);
        }
        break;
    }
    // A complete value is on top: store it in its container (under the key below it).
    if (depth == 0) break;
    if (is_array[depth - 1])
      lua_rawseti(L, -2, next[depth - 1]++);
    else
      lua_rawset(L, -3);
  }
  lua_remove(L, array_meta);
}

}  // namespace internal

namespace {

int PushTapes(lua_State* L) {
  const auto* tapes = static_cast<const JsonTapeReturns*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  for (const JsonTape& t : *tapes) internal::PushJsonTape(L, t);
  return static_cast<int>(tapes->size());
}

}  // namespace

bool ParseJsonTape(const std::string& text, const std::vector<JsonDropKey>& drop, JsonTape* tape,
                   std::string* error, std::string_view parent) {
  tape->events.reserve(text.size() / 8 + 1);
  tape->chars.reserve(text.size() / 2);
  {
    TapeWriter writer(drop, tape, parent);
    if (ScanJson(text, &writer)) return true;
  }
  // Not valid JSON, or not in the form ScanJson reads: nlohmann decides, and says why.
  tape->events.clear();
  tape->chars.clear();
  tape->too_deep = false;
  TapeWriter writer(drop, tape, parent);
  if (Json::sax_parse(text, &writer)) return true;
  *error = writer.error();
  return false;
}

namespace internal {

bool PushJsonTapesProtected(lua_State* L, const JsonTapeReturns& tapes, char* error, size_t cap) {
  return PushWithProtected(L, PushTapes, &tapes, static_cast<int>(tapes.size()), error, cap);
}

}  // namespace internal
}  // namespace cairn::lua
