#include "tests/emulators/kube/stored_object.h"

#include <vector>

namespace cairn::emulators {
namespace {

using Serializer = nlohmann::detail::serializer<nlohmann::json>;

Serializer SerializerFor(std::string* out) {
  return Serializer(nlohmann::detail::output_adapter<char, std::string>(*out), ' ');
}

// A key that dump() writes as it is, between quotes (no escapes, no UTF-8 to check).
bool PlainKey(const std::string& key) {
  for (char c : key)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

}  // namespace

void AppendJson(const nlohmann::json& value, std::string* out) {
  SerializerFor(out).dump(value, false, false, 0);
}

StoredPtr MakeStored(nlohmann::json object) {
  auto stored = std::make_shared<StoredObject>();
  std::string& text = stored->text;
  Serializer writer = SerializerFor(&text);
  if (!object.is_object()) {
    writer.dump(object, false, false, 0);
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
    if (PlainKey(key)) {
      text += '"';
      text += key;
      text += '"';
    } else {
      writer.dump(nlohmann::json(key), false, false, 0);
    }
    text += ':';
    writer.dump(it.value(), false, false, 0);
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

}  // namespace cairn::emulators
