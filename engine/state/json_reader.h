// A fast reader of state.json text into Values, for the common case of a valid file.
#pragma once

#include <string_view>

#include "engine/base/value.h"

namespace cairn::state {

/// Parses JSON `text` into `out` as ParseJson (engine/base/json.h) would: integers that fit
/// int64 become ints, other numbers floats, {"$unknown": "origin"} an unknown value, and a later
/// duplicate key wins. nlohmann's parser needs three times longer on large states.
///
/// Returns false, with `out` to be discarded, for anything it leaves to nlohmann: invalid JSON,
/// malformed UTF-8 or \u escapes (lone surrogates), integers beyond int64. The caller then parses
/// the text again with nlohmann, which also words the error.
bool ReadJsonFast(std::string_view text, Value* out);

}  // namespace cairn::state
