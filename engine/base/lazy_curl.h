// libcurl, loaded on the first HTTP request instead of at program start.
#pragma once

#include <string>

namespace cairn {

/// libcurl and the ~30 libraries it depends on (LDAP, Kerberos, SSH, RTMP, ...) take about a
/// third of cairn's start-up when linked normally: the loader maps and relocates them before
/// main(), although validate, graph, state commands and plans with local providers never make a
/// request (git keeps libcurl out of its main binary, in git-remote-http, for the same reason).
/// So cairn does not link libcurl; lazy_curl.cc defines the few curl_* functions cairn calls,
/// and the first call dlopen()s libcurl.so.4 and forwards. Callers use the ordinary curl API.
/// A package of cairn must depend on libcurl4 itself: the binary no longer names it (DT_NEEDED).
///
/// Empty when libcurl is loaded (or not yet needed); otherwise why it could not be loaded, for
/// error messages (curl_easy_init then returns nullptr and curl_global_init an error).
std::string CurlLoadError();

}  // namespace cairn
