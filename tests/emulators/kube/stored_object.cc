#include "tests/emulators/kube/stored_object.h"

#include <vector>

namespace cairn::emulators {
namespace {

using Serializer = nlohmann::detail::serializer<nlohmann::json>;

Serializer SerializerFor(std::string* out) {
  return Serializer(nlohmann::detail::output_adapter<char, std::string>(*out), ' ');
}

// A string that dump() writes as it is, between quotes (no escapes, no UTF-8 to check).
bool Plain(const std::string& s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

// Writes what `writer`.dump(value) writes, faster for the common case: strings without escapes
// are copied as they are, everything else is left to nlohmann's serializer.
void Write(const nlohmann::json& value, Serializer* writer, std::string* out) {
  if (value.is_object()) {
    *out += '{';
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it != value.begin()) *out += ',';
      const std::string& key = it.key();
      if (Plain(key)) {
        *out += '"';
        *out += key;
        *out += '"';
      } else {
        writer->dump(nlohmann::json(key), false, false, 0);
      }
      *out += ':';
      Write(it.value(), writer, out);
    }
    *out += '}';
  } else if (value.is_array()) {
    *out += '[';
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (it != value.begin()) *out += ',';
      Write(*it, writer, out);
    }
    *out += ']';
  } else if (value.is_string() && Plain(value.get_ref<const std::string&>())) {
    *out += '"';
    *out += value.get_ref<const std::string&>();
    *out += '"';
  } else {
    writer->dump(value, false, false, 0);
  }
}

}  // namespace

void AppendJson(const nlohmann::json& value, std::string* out) {
  Serializer writer = SerializerFor(out);
  Write(value, &writer, out);
}

StoredPtr MakeStored(nlohmann::json object) {
  auto stored = std::make_shared<StoredObject>();
  std::string& text = stored->text;
  text.reserve(2048);
  Serializer writer = SerializerFor(&text);
  if (!object.is_object()) {
    Write(object, &writer, &text);
    stored->item = text;
    stored->object = std::move(object);
    return stored;
  }
  // Members are written one by one, in dump()'s order and bytes, so that the list item can be
  // cut from the same text.
  std::vector<std::pair<size_t, size_t>> kept;  // [begin, end) of members but apiVersion, kind
  text += '{';
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (it != object.begin()) text += ',';
    size_t begin = text.size();
    const std::string& key = it.key();
    if (Plain(key)) {
      text += '"';
      text += key;
      text += '"';
    } else {
      writer.dump(nlohmann::json(key), false, false, 0);
    }
    text += ':';
    Write(it.value(), &writer, &text);
    if (key != "apiVersion" && key != "kind") kept.emplace_back(begin, text.size());
  }
  text += '}';
  std::string& item = stored->item;
  item.reserve(text.size());
  item += '{';
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i) item += ',';
    item.append(text, kept[i].first, kept[i].second - kept[i].first);
  }
  item += '}';
  stored->object = std::move(object);
  return stored;
}

std::string TextAs(const StoredObject& stored, const std::string& api_version) {
  auto it = stored.object.find("apiVersion");
  if (it != stored.object.end() && it->is_string() &&
      it->get_ref<const std::string&>() == api_version)
    return stored.text;
  nlohmann::json out = stored.object;
  out["apiVersion"] = api_version;
  return out.dump();
}

std::string ListText(const std::string& list_kind, const std::string& api_version,
                     const nlohmann::json& metadata, const std::vector<const StoredObject*>& items,
                     bool full_items) {
  size_t size = 0;
  for (const StoredObject* item : items) size += item->text.size() + 1;
  std::string body;
  body.reserve(size + 256);
  body += "{\"apiVersion\":";
  AppendJson(api_version, &body);
  body += ",\"items\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    if (full_items) {
      body += TextAs(*items[i], api_version);
    } else {
      body += items[i]->item;  // no copy: a conditional expression would make one
    }
  }
  body += "],\"kind\":";
  AppendJson(list_kind, &body);
  body += ",\"metadata\":";
  AppendJson(metadata, &body);
  body += '}';
  return body;
}

}  // namespace cairn::emulators
