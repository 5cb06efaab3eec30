#include "engine/plan/plan.h"

namespace cairn::plan {

const char* ActionGlyph(Action a) {
  switch (a) {
    case Action::kNoOp: return "";
    case Action::kCreate: return "+";
    case Action::kUpdate: return "~";
    case Action::kDeleteThenCreate: return "-/+";
    case Action::kCreateThenDelete: return "+/-";
    case Action::kDelete: return "-";
  }
  return "?";
}

const char* ActionName(Action a) {
  switch (a) {
    case Action::kNoOp: return "no-op";
    case Action::kCreate: return "create";
    case Action::kUpdate: return "update";
    case Action::kDeleteThenCreate: return "replace";
    case Action::kCreateThenDelete: return "replace (create before destroy)";
    case Action::kDelete: return "delete";
  }
  return "?";
}

bool IsReplace(Action a) {
  return a == Action::kDeleteThenCreate || a == Action::kCreateThenDelete;
}

size_t Plan::Count(Action a) const {
  size_t n = 0;
  for (const ResourceChange& c : changes)
    if (c.action == a) ++n;
  return n;
}

bool Plan::HasChanges() const {
  for (const ResourceChange& c : changes)
    if (c.action != Action::kNoOp) return true;
  return false;
}

}  // namespace cairn::plan
