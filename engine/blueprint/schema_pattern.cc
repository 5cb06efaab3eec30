// SchemaPattern: RE2 first, std::regex (ECMAScript) for what RE2 rejects; see schema_pattern.h.
// GCC 12 warns falsely about std::function inside <regex> when sanitizers are on.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "engine/blueprint/schema_pattern.h"

#include <re2/re2.h>

namespace cairn::blueprint {

SchemaPattern::~SchemaPattern() = default;

std::unique_ptr<SchemaPattern> SchemaPattern::Compile(const std::string& text, std::string* error) {
  std::unique_ptr<SchemaPattern> p(new SchemaPattern());
  RE2::Options options;
  options.set_log_errors(false);  // a rejected pattern is retried below, not printed
  auto re2 = std::make_unique<RE2>(text, options);
  if (re2->ok()) {
    p->re2_ = std::move(re2);
    return p;
  }
  try {
    p->ecmascript_ = std::make_unique<std::regex>(text, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    *error = e.what();
    return nullptr;
  }
  return p;
}

bool SchemaPattern::Search(std::string_view s) const {
  if (re2_) return RE2::PartialMatch(s, *re2_);
  return std::regex_search(s.begin(), s.end(), *ecmascript_);
}

}  // namespace cairn::blueprint
