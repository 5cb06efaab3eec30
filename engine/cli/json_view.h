// Machine-readable output (--json): the documents described in docs/json.md. Every document is
// one JSON object on stdout with "format_version" and "command"; field names are stable.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/apply/applier.h"
#include "engine/base/diag.h"
#include "engine/base/value.h"
#include "engine/plan/plan.h"
#include "engine/provider/provider.h"
#include "engine/state/state.h"

namespace cairn::cli {

/// Bumped on incompatible changes to any document; additions keep it.
inline constexpr const char* kJsonFormatVersion = "1.0";

/// A value for users: sensitive as "(sensitive)", unknown as {"unknown": true}.
nlohmann::json UserJson(const Value& v);

/// {"severity", "summary", "detail", "hint", "address", "path", "file", "line", "col"}.
nlohmann::json DiagnosticJson(const Diagnostic& d);

/// "no-op", "create", "update", "replace", "replace-create-first", "delete".
const char* JsonActionName(plan::Action a);

/// One planned change: address, type, provider, action, before, after, requires_replace,
/// reason, depends_on.
nlohmann::json ChangeJson(const plan::ResourceChange& c);

/// The body of `plan --json` (without format_version, command and diagnostics).
nlohmann::json PlanJson(const plan::Plan& p, bool refresh_only, bool partial);

/// One resource as recorded in state, sensitive values redacted.
nlohmann::json ResourceJson(const state::ResourceState& r);

/// Every provider with its resource types and their attribute schemas.
nlohmann::json ProvidersJson(const provider::Registry& providers);

/// What happened to each change during an apply, gathered from the applier's events.
class ApplyOutcomes {
 public:
  /// Thread-safe; called from the applier's workers.
  void Record(const apply::ApplyEvent& e);
  /// "applied", "failed", "skipped", or "" when the change never finished (not started).
  std::string OutcomeOf(const std::string& address, std::string* message) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::pair<std::string, std::string>> by_address_;  // outcome, message
};

/// {"resources": [{address, action, outcome, message}], "summary": {...}, "state_serial"}.
nlohmann::json ApplyResultsJson(const plan::Plan& p, const ApplyOutcomes& outcomes,
                                uint64_t serial);

/// Sends std::cout to nowhere while alive (JSON mode keeps stdout for the document).
class StdoutSilencer {
 public:
  StdoutSilencer();
  ~StdoutSilencer();
  StdoutSilencer(const StdoutSilencer&) = delete;
  StdoutSilencer& operator=(const StdoutSilencer&) = delete;

 private:
  std::ostringstream sink_;
  std::streambuf* saved_;
};

/// Starts a document: {"format_version": ..., "command": command}.
nlohmann::json JsonDocument(const std::string& command);

/// Adds "diagnostics" to `doc` and prints it (indented) on stdout.
void PrintJson(nlohmann::json doc, const std::vector<Diagnostic>& diags);

}  // namespace cairn::cli
