// json.decode_list: a list response (an object with an `items` array, as Kubernetes and many
// REST APIs answer) read without building Lua tables for its items.
//
// A refresh compares a few fields of each listed object (name, version) with what it recorded and
// needs the whole object only when they differ, so decoding every item of a large LIST into
// tables is mostly wasted. IndexJsonList checks the whole text (the reader json.decode uses, so
// the two accept the same documents), decodes the document without `items`, and for each item
// keeps its JSON text and the values of the requested fields; the plugin decodes an item's text
// when it needs all of it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <lua.hpp>

#include "engine/lua/modules/json_decode.h"

namespace cairn::lua {

/// One requested field's value in one item.
struct JsonListField {
  enum class Kind : uint8_t { kAbsent, kString, kTape };
  Kind kind = Kind::kAbsent;
  std::string_view text;  // kString: the string's bytes (it has no escapes)
  size_t tape = 0;        // kTape: index into JsonList::values
};

/// What json.decode_list returns. Views point into the text given to IndexJsonList.
struct JsonList {
  JsonTape doc;                         // the document without its `items` member
  std::vector<std::string> fields;      // the requested paths, as given ("metadata.name")
  std::vector<std::string_view> items;  // each item's JSON text
  std::vector<JsonListField> values;    // items.size() * fields.size(), item by item
  std::vector<JsonTape> tapes;          // values that are not plain strings
  /// The number of Lua values it becomes (doc and items), as a binding's result list.
  size_t size() const { return 2; }
};

/// Reads `text`, which must outlive `out` and be followed by a NUL byte (a Lua or C++ string's
/// bytes are). `fields` are dotted member paths inside an item.
/// Returns false with a message on invalid JSON (nlohmann's wording, as json.decode gives), when
/// the document is not an object, or when its `items` is neither an array nor null.
bool IndexJsonList(std::string_view text, const std::vector<std::string>& fields,
                   const std::vector<JsonDropKey>& drop, JsonList* out, std::string* error);

namespace internal {
/// Pushes `list` as two values (doc, items) in protected mode; on failure stores the message in
/// `error` (<= cap bytes).
bool PushJsonListProtected(lua_State* L, const JsonList& list, char* error, size_t cap);
}  // namespace internal

}  // namespace cairn::lua
