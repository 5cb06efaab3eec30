// String formats understood by the JSON Schema validator ("format": "ipv4" and friends).
#pragma once

#include <string>
#include <string_view>

namespace cairn::blueprint {

/// Checks `s` against the named format. Returns true when it conforms or when the format is
/// not one we know (formats are annotations unless understood). On failure `*what` is a
/// noun phrase for the message, e.g. "an IPv4 address".
///
/// Known formats: ipv4, ipv6, ip (either), hostname, cidr (IPv4 or IPv6 with /prefix),
/// duration (ISO 8601 "P1DT2H" or compact "1h30m", units ms s m h d w), uri, cron (five
/// fields or @daily-style macros).
bool CheckFormat(std::string_view format, std::string_view s, std::string* what);

bool IsIpv4(std::string_view s);
bool IsIpv6(std::string_view s);
bool IsHostname(std::string_view s);
bool IsCidr(std::string_view s);
bool IsDuration(std::string_view s);

}  // namespace cairn::blueprint
