// json.decode without a DOM: a reader (ScanJson, or nlohmann's SAX parser for what ScanJson does
// not read) records the document as a flat tape of events, leaving out dropped members as it
// reads, and a protected pusher builds Lua values from it.
//
// The tape keeps the binding's safety rule: parsing runs in plain C++ (it may throw, never raises a
// Lua error), and the Lua tables are built inside lua_pcall by a function whose frames own no
// objects with destructors, so that a memory error cannot skip a destructor.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <lua.hpp>

namespace cairn::lua {

/// One entry of json.decode's `drop_keys`: "key" drops that member at any depth, "parent.key"
/// only in an object that is the value of a member named parent (so that user data named like
/// the bookkeeping, e.g. a ConfigMap entry "managedFields", stays).
struct JsonDropKey {
  std::string parent;  // empty: any
  std::string key;
};

/// One decoded document, as events in document order. Strings and keys point into `chars`;
/// an array or object event holds its item count, and its items follow up to its kEnd.
struct JsonTape {
  enum class Kind : uint8_t {
    kNull,
    kTrue,
    kFalse,
    kInteger,
    kFloat,
    kString,
    kKey,
    kArray,
    kObject,
    kEnd
  };
  struct Event {
    Kind kind;
    uint64_t size;  // string length, or container item count
    union {
      int64_t integer;
      double number;
      uint64_t offset;  // into chars
    };
  };
  std::vector<Event> events;
  std::string chars;
  /// Set when a kept value is nested deeper than kJsonMaxDepth; pushing then raises that error.
  bool too_deep = false;
};

/// Parses `text` into `tape`, leaving out the members `drop` names. On invalid JSON returns false
/// (having read the text with nlohmann's parser) with its message
/// ("[json.exception.parse_error.101] parse error at ...") in `error`. `parent` names the member
/// whose value `text` is, when it was cut from a larger document, so that "parent.key" drops
/// apply at its top level too.
bool ParseJsonTape(const std::string& text, const std::vector<JsonDropKey>& drop, JsonTape* tape,
                   std::string* error, std::string_view parent = {});

/// What a json.decode binding returns: each tape becomes one Lua value.
using JsonTapeReturns = std::vector<JsonTape>;

namespace internal {
/// Pushes the value of one tape; raises on a too deep document or a memory error, so call it
/// only from a pusher run in protected mode.
void PushJsonTape(lua_State* L, const JsonTape& tape);
/// Pushes `tapes` in protected mode; on failure stores the message in `error` (<= cap bytes).
bool PushJsonTapesProtected(lua_State* L, const JsonTapeReturns& tapes, char* error, size_t cap);
}  // namespace internal

}  // namespace cairn::lua
