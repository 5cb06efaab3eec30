// Value: the dynamic data model shared by blueprints, provider calls, plans and state.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/base/source.h"

namespace cairn {

/// A JSON-like value (null, bool, int, float, string, list, map) that may also be *unknown*:
/// a value that only exists after apply, such as the id of a resource not yet created.
///
/// Lists and maps are shared between copies and copied on the first write (a blueprint, its
/// expansion, the state, the refreshed state and the plan hold the same attributes, and copying
/// them node by node was a fifth of a plan's work). Mutable access (MutableMap, MutableList,
/// FindMutable, operator[], Push) first makes the container this value's own; so a reference
/// obtained through it must not be used to write after the value (or a value holding it) was
/// copied, and a pointer from Find may point into the old, shared container after a write.
class Value {
 public:
  enum class Kind : uint8_t { kNull, kBool, kInt, kFloat, kString, kList, kMap, kUnknown };
  using List = std::vector<Value>;
  using Map = std::map<std::string, Value, std::less<>>;

  Value() = default;
  Value(bool b) : v_(b) {}                                     // NOLINT
  Value(int i) : v_(static_cast<int64_t>(i)) {}                // NOLINT
  Value(int64_t i) : v_(i) {}                                  // NOLINT
  Value(double d) : v_(d) {}                                   // NOLINT
  Value(std::string s) : v_(std::move(s)) {}                   // NOLINT
  Value(const char* s) : v_(std::string(s)) {}                 // NOLINT
  Value(std::string_view s) : v_(std::string(s)) {}            // NOLINT
  Value(List l) : v_(std::make_shared<List>(std::move(l))) {}  // NOLINT
  Value(Map m) : v_(std::make_shared<Map>(std::move(m))) {}    // NOLINT

  static Value EmptyList() { return Value(List{}); }
  static Value EmptyMap() { return Value(Map{}); }
  /// A value known only after apply; `origin` names where it comes from (e.g. "local.file.a.id").
  static Value Unknown(std::string origin = "");

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_int() const { return kind() == Kind::kInt; }
  bool is_float() const { return kind() == Kind::kFloat; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_map() const { return kind() == Kind::kMap; }
  bool is_unknown() const { return kind() == Kind::kUnknown; }

  // Accessors. REQUIRES: the value has that kind (checked; a wrong kind aborts in debug builds
  // and returns a static empty value otherwise).
  bool AsBool() const;
  int64_t AsInt() const;    // also accepts an integral float
  double AsNumber() const;  // int or float
  const std::string& AsString() const;
  const List& AsList() const;
  const Map& AsMap() const;
  List& MutableList();  // turns null into an empty list first
  Map& MutableMap();    // turns null into an empty map first
  const std::string& UnknownOrigin() const;

  /// Map lookup; nullptr when this is not a map or the key is absent.
  const Value* Find(std::string_view key) const;
  Value* FindMutable(std::string_view key);
  /// Map insert-or-get; turns null into an empty map first.
  Value& operator[](std::string_view key);
  /// Appends to a list; turns null into an empty list first.
  void Push(Value v);
  /// Number of list items or map entries; 0 otherwise.
  size_t size() const;
  /// True when this value or anything inside it is unknown.
  bool ContainsUnknown() const;
  /// True when this value or anything inside it is marked sensitive.
  bool ContainsSensitive() const;

  /// Structural equality; ignores loc and sensitive. Int 1 equals float 1.0.
  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

  /// "null", "bool", "integer", "number", "string", "list", "map", "unknown".
  static const char* KindName(Kind k);
  const char* kind_name() const { return KindName(kind()); }

  /// Compact single-line rendering for messages (strings quoted, unknown as "(known after apply)").
  std::string ToString() const;

  SourceLoc loc;           // where this value was written, when it came from a file
  bool sensitive = false;  // never shown in output or logs

 private:
  struct UnknownMark {
    std::string origin;
  };
  // Shared until written; see the class comment.
  std::variant<std::monostate, bool, int64_t, double, std::string, std::shared_ptr<List>,
               std::shared_ptr<Map>, UnknownMark>
      v_;
};

/// Whether a string in `v` (at any depth) contains `needle`: a walk that allocates nothing, so
/// that passes which rewrite strings ("${...}" references, secrets) can skip values without any.
bool ContainsText(const Value& v, std::string_view needle);

/// Joins a path for messages: PathKey("apps[2]", "tier") -> "apps[2].tier".
std::string PathKey(const std::string& parent, std::string_view key);
/// PathIndex("apps", 2) -> "apps[2]".
std::string PathIndex(const std::string& parent, size_t index);

}  // namespace cairn
