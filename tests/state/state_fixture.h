// Shared by the state tests: a small resource to record, save and replay.
#pragma once

#include <string>

#include "engine/state/state.h"

namespace cairn::state {

/// A local.file resource named `name` whose content is `content`.
inline ResourceState Res(const std::string& name, const std::string& content = "x") {
  ResourceState r;
  r.address = "local.file." + name;
  r.type = "local.file";
  r.provider = "local";
  r.id = "/srv/" + name;
  r.attributes["id"] = r.id;
  r.attributes["content"] = content;
  return r;
}

}  // namespace cairn::state
