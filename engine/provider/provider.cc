#include "engine/provider/provider.h"

#include <cctype>

namespace cairn::provider {

void Registry::Add(std::unique_ptr<Provider> p) {
  std::string name = p->Schema().name;
  providers_[name] = std::move(p);
}

Provider* Registry::Find(const std::string& name) const {
  auto it = providers_.find(name);
  return it == providers_.end() ? nullptr : it->second.get();
}

const ResourceType* Registry::FindType(const std::string& type) const {
  size_t dot = type.find('.');
  if (dot == std::string::npos) return nullptr;
  Provider* p = Find(type.substr(0, dot));
  if (p == nullptr) return nullptr;
  const auto& resources = p->Schema().resources;
  auto it = resources.find(type);
  return it == resources.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::Names() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : providers_) out.push_back(name);
  return out;
}

std::vector<std::string> Registry::TypeNames() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : providers_)
    for (const auto& [type, schema] : p->Schema().resources) out.push_back(type);
  return out;
}

bool SplitAddress(const std::string& address, std::string* provider, std::string* type,
                  std::string* name) {
  size_t a = address.find('.');
  if (a == std::string::npos || a == 0) return false;
  size_t b = address.find('.', a + 1);
  if (b == std::string::npos || b == a + 1 || b + 1 >= address.size()) return false;
  if (address.find('.', b + 1) != std::string::npos) return false;
  for (char c : address)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return false;
  *provider = address.substr(0, a);
  *type = address.substr(0, b);
  *name = address.substr(b + 1);
  return true;
}

}  // namespace cairn::provider
