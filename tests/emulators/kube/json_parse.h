// Parsing of request bodies: a fast path for the JSON clients send (ASCII text, simple escapes,
// integers), which builds the same nlohmann::json as nlohmann's parser at a fraction of its cost;
// anything else (\u escapes, non-ASCII text, fractions and exponents, errors) is left to
// nlohmann's parser, so that results and errors are exactly its own.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cairn::emulators {

/// The same as nlohmann::json::parse(text, nullptr, false): a discarded value when `text` is not
/// JSON.
nlohmann::json ParseJson(const std::string& text);

}  // namespace cairn::emulators
