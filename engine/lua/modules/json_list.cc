#include "engine/lua/modules/json_list.h"

#include <cstdint>

#include "engine/lua/binding.h"
#include "engine/lua/modules/json_lua.h"
#include "engine/lua/modules/json_scan.h"

namespace cairn::lua {
namespace {

constexpr size_t kMaxFields = 64;  // one bit each in a mask

// Follows ScanJson through the text and notes, with the positions ScanJson reports: the members
// of the top-level object other than `items` (as text, for the doc), each item's span, and the
// span of each requested field inside an item. Depth counts open containers: the top object's
// members are at 1, items at 2, an item's members at 3.
class ListIndexer {
 public:
  ListIndexer(JsonList* out) : out_(*out) {
    for (const std::string& f : out_.fields) {
      std::vector<std::string> parts;
      size_t start = 0;
      for (size_t dot; (dot = f.find('.', start)) != std::string::npos; start = dot + 1)
        parts.push_back(f.substr(start, dot - start));
      parts.push_back(f.substr(start));
      paths_.push_back(std::move(parts));
    }
    all_ = paths_.size() == kMaxFields ? ~uint64_t{0} : (uint64_t{1} << paths_.size()) - 1;
  }

  const std::string& error() const { return error_; }
  std::string& doc() { return doc_; }

  void Null() {}
  void Bool(bool) {}
  void Integer(int64_t) {}
  void Unsigned(uint64_t) {}
  void Float(double) {}
  void String(std::string_view) {}
  void StartObject() { Open(true); }
  void StartArray() { Open(false); }
  void EndObject() { --depth_; }
  void EndArray() { --depth_; }

  void KeyAt(const char* p) {
    if (!top_is_object_) return;
    if (depth_ == 1) member_start_ = p;
  }
  void Key(std::string_view k) {
    if (!top_is_object_) return;
    if (depth_ == 1) {
      member_is_items_ = k == "items";
      return;
    }
    pending_ = 0;
    if (items_ && depth_ >= 3 && masks_[depth_] != 0) {
      size_t level = depth_ - 3;
      for (size_t i = 0; i < paths_.size(); ++i)
        if ((masks_[depth_] >> i & 1) != 0 && paths_[i][level] == k) pending_ |= uint64_t{1} << i;
    }
  }
  void ValueAt(const char* p) {
    if (depth_ == 0) {
      top_is_object_ = *p == '{';
    } else if (!top_is_object_) {
      return;
    } else if (depth_ == 1 && member_is_items_) {
      if (*p != '[' && *p != 'n') error_ = "items is not an array";
    } else if (depth_ == 2 && items_) {
      item_start_ = p;
      out_.values.resize(out_.values.size() + paths_.size());
      pending_ = all_;  // the item itself: its members are matched against level 0
    } else if (depth_ >= 3 && pending_ != 0) {
      size_t level = depth_ - 3;
      for (size_t i = 0; i < paths_.size(); ++i)
        if ((pending_ >> i & 1) != 0 && paths_[i].size() == level + 1)
          open_.push_back(Recording{i, depth_, p});
    }
  }
  void ValueEnd(const char* p) {
    if (!top_is_object_) return;
    if (depth_ == 1) {
      if (member_is_items_) {
        items_ = false;
      } else {
        if (doc_.size() > 1) doc_ += ',';
        doc_.append(member_start_, p);
      }
    } else if (depth_ == 2 && items_) {
      out_.items.emplace_back(item_start_, static_cast<size_t>(p - item_start_));
    } else {
      while (!open_.empty() && open_.back().depth == depth_) {
        const Recording& r = open_.back();
        spans_.push_back(Span{out_.items.size(), r.path, r.start, p});
        open_.pop_back();
      }
    }
    pending_ = 0;
  }

  // A requested field's value, found in item `item` (0-based).
  struct Span {
    size_t item, path;
    const char *start, *end;
  };
  const std::vector<Span>& spans() const { return spans_; }
  bool top_is_object() const { return top_is_object_; }

 private:
  struct Recording {
    size_t path, depth;
    const char* start;
  };

  void Open(bool object) {
    ++depth_;
    if (masks_.size() <= depth_) masks_.resize(depth_ + 1);
    if (depth_ == 2 && member_is_items_) items_ = !object;
    // An item's object matches level 0; a member object keeps the paths that go deeper.
    uint64_t deeper = 0;
    if (items_ && object && depth_ >= 3) {
      size_t level = depth_ - 3;  // the level of this object's members
      for (size_t i = 0; i < paths_.size(); ++i)
        if ((pending_ >> i & 1) != 0 && paths_[i].size() > level) deeper |= uint64_t{1} << i;
    }
    masks_[depth_] = deeper;
    pending_ = 0;
  }

  JsonList& out_;
  std::vector<std::vector<std::string>> paths_;
  uint64_t all_ = 0;
  std::vector<uint64_t> masks_;  // by depth: the paths an object's members may still match
  uint64_t pending_ = 0;         // the paths the next value matches so far
  std::vector<Recording> open_;
  std::vector<Span> spans_;
  size_t depth_ = 0;
  bool top_is_object_ = false;
  bool member_is_items_ = false;
  bool items_ = false;  // inside the items array
  const char* member_start_ = nullptr;
  const char* item_start_ = nullptr;
  std::string doc_ = "{";
  std::string error_;
};

bool Record(const ListIndexer::Span& s, const std::vector<JsonDropKey>& drop, JsonList* out,
            std::string* error) {
  std::string_view span(s.start, static_cast<size_t>(s.end - s.start));
  // item is the number of items finished when the field ended, so the current one's index.
  JsonListField& field = out->values[s.item * out->fields.size() + s.path];
  if (span.front() == '"' && span.find('\\') == std::string_view::npos) {
    field.kind = JsonListField::Kind::kString;
    field.text = span.substr(1, span.size() - 2);
    return true;
  }
  out->tapes.emplace_back();
  field.kind = JsonListField::Kind::kTape;
  field.tape = out->tapes.size() - 1;
  const std::string& path = out->fields[s.path];
  size_t dot = path.rfind('.');
  std::string_view name =
      dot == std::string::npos ? std::string_view(path) : std::string_view(path).substr(dot + 1);
  return ParseJsonTape(std::string(span), drop, &out->tapes.back(), error, name);
}

// Pushes the doc and the items; raises on a memory error (run it protected).
int PushList(lua_State* L) {
  const auto* list = static_cast<const JsonList*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  internal::PushJsonTape(L, list->doc);
  size_t nfields = list->fields.size();
  lua_createtable(L, static_cast<int>(list->items.size()), 0);
  lua_getfield(L, LUA_REGISTRYINDEX, kJsonArrayKey);
  lua_setmetatable(L, -2);
  for (size_t i = 0; i < list->items.size(); ++i) {
    lua_createtable(L, 0, 2);
    lua_pushlstring(L, list->items[i].data(), list->items[i].size());
    lua_setfield(L, -2, "json");
    lua_createtable(L, 0, static_cast<int>(nfields));
    for (size_t f = 0; f < nfields; ++f) {
      const JsonListField& v = list->values[i * nfields + f];
      if (v.kind == JsonListField::Kind::kAbsent) continue;
      lua_pushlstring(L, list->fields[f].data(), list->fields[f].size());
      if (v.kind == JsonListField::Kind::kString)
        lua_pushlstring(L, v.text.data(), v.text.size());
      else
        internal::PushJsonTape(L, list->tapes[v.tape]);
      lua_rawset(L, -3);
    }
    lua_setfield(L, -2, "fields");
    lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
  }
  return 2;
}

}  // namespace

bool IndexJsonList(std::string_view text, const std::vector<std::string>& fields,
                   const std::vector<JsonDropKey>& drop, JsonList* out, std::string* error) {
  if (fields.size() > kMaxFields) {
    *error = "at most " + std::to_string(kMaxFields) + " fields";
    return false;
  }
  out->fields = fields;
  std::string_view body = text;
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);  // as nlohmann allows
  ListIndexer indexer(out);
  if (!ScanJson(body, &indexer)) {
    JsonTape ignored;
    if (!ParseJsonTape(std::string(text), drop, &ignored, error)) return false;
    *error = "the text is JSON in a form decode_list does not read";
    return false;
  }
  if (!indexer.top_is_object()) {
    *error = "the document is not an object with an items list";
    return false;
  }
  if (!indexer.error().empty()) {
    *error = indexer.error();
    return false;
  }
  for (const ListIndexer::Span& s : indexer.spans())
    if (!Record(s, drop, out, error)) return false;
  indexer.doc() += '}';
  return ParseJsonTape(indexer.doc(), drop, &out->doc, error);
}

namespace internal {

bool PushJsonListProtected(lua_State* L, const JsonList& list, char* error, size_t cap) {
  return PushWithProtected(L, PushList, &list, 2, error, cap);
}

}  // namespace internal
}  // namespace cairn::lua
