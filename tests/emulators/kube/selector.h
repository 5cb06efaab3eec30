// Label and field selectors of LIST requests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/base/status.h"

namespace cairn::emulators {

/// A parsed selector: every requirement must hold (comma means AND).
class Selector {
 public:
  /// Parses a labelSelector: "app=x,tier!=db,env in (a,b),env notin (c),legacy,!old".
  static Result<Selector> ParseLabels(const std::string& text);
  /// Parses a fieldSelector; only metadata.name and metadata.namespace with =, ==, != exist.
  static Result<Selector> ParseFields(const std::string& text);

  /// Label selectors: tests the object's metadata.labels. Field selectors: its metadata.
  bool Matches(const nlohmann::json& object) const;
  bool empty() const { return reqs_.empty(); }

 private:
  /// One clause of the selector.
  struct Requirement {
    enum class Op { kEq, kNotEq, kIn, kNotIn, kExists, kNotExists };
    std::string key;
    Op op = Op::kEq;
    std::vector<std::string> values;
  };
  bool fields_ = false;
  std::vector<Requirement> reqs_;
};

}  // namespace cairn::emulators
