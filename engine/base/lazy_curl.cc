// Forwarders for the libcurl functions cairn uses; see lazy_curl.h for why.
#include "engine/base/lazy_curl.h"

// The forwarders below are real functions, not the type-checking macros curl.h may define.
#define CURL_DISABLE_TYPECHECK
#include <cstdarg>
#include <mutex>

#include <curl/curl.h>

#include "engine/base/lazy_library.h"

namespace cairn {
namespace {

/// The functions looked up in libcurl.so.4; all null when it could not be loaded.
struct CurlFunctions {
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  void (*easy_reset)(CURL*) = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
  CURLSH* (*share_init)() = nullptr;
  CURLSHcode (*share_setopt)(CURLSH*, CURLSHoption, ...) = nullptr;
  std::string error;
};

bool Find(void* lib, const char* name, auto* out, std::string* error) {
  return FindSymbol(lib, "libcurl.so.4", name, out, error);
}

CurlFunctions Load() {
  CurlFunctions f;
  // The soname cairn was built against (Debian package libcurl4); never unloaded.
  void* lib = OpenLibrary("libcurl.so.4", "libcurl4", &f.error);
  if (lib == nullptr) return f;
  std::string& e = f.error;
  bool ok = Find(lib, "curl_global_init", &f.global_init, &e) &
            Find(lib, "curl_easy_init", &f.easy_init, &e) &
            Find(lib, "curl_easy_cleanup", &f.easy_cleanup, &e) &
            Find(lib, "curl_easy_reset", &f.easy_reset, &e) &
            Find(lib, "curl_easy_setopt", &f.easy_setopt, &e) &
            Find(lib, "curl_easy_perform", &f.easy_perform, &e) &
            Find(lib, "curl_easy_getinfo", &f.easy_getinfo, &e) &
            Find(lib, "curl_easy_strerror", &f.easy_strerror, &e) &
            Find(lib, "curl_slist_append", &f.slist_append, &e) &
            Find(lib, "curl_slist_free_all", &f.slist_free_all, &e) &
            Find(lib, "curl_share_init", &f.share_init, &e) &
            Find(lib, "curl_share_setopt", &f.share_setopt, &e);
  if (!ok) {
    std::string error = std::move(f.error);
    f = CurlFunctions();
    f.error = std::move(error);
  }
  return f;
}

const CurlFunctions& Curl() {
  static const CurlFunctions functions = Load();
  return functions;
}

}  // namespace

std::string CurlLoadError() { return Curl().error; }

}  // namespace cairn

using cairn::Curl;

// The forwarders' symbols are local to the binary: never exported, they cannot stand in for
// libcurl's own functions.
CAIRN_HIDE_SYMBOL(curl_global_init)
CAIRN_HIDE_SYMBOL(curl_easy_init)
CAIRN_HIDE_SYMBOL(curl_easy_cleanup)
CAIRN_HIDE_SYMBOL(curl_easy_reset)
CAIRN_HIDE_SYMBOL(curl_easy_setopt)
CAIRN_HIDE_SYMBOL(curl_easy_perform)
CAIRN_HIDE_SYMBOL(curl_easy_getinfo)
CAIRN_HIDE_SYMBOL(curl_easy_strerror)
CAIRN_HIDE_SYMBOL(curl_slist_append)
CAIRN_HIDE_SYMBOL(curl_slist_free_all)
CAIRN_HIDE_SYMBOL(curl_share_init)
CAIRN_HIDE_SYMBOL(curl_share_setopt)

extern "C" {

CURLcode curl_global_init(long flags) {
  return Curl().global_init ? Curl().global_init(flags) : CURLE_FAILED_INIT;
}

CURL* curl_easy_init() { return Curl().easy_init ? Curl().easy_init() : nullptr; }

void curl_easy_cleanup(CURL* curl) {
  if (curl != nullptr) Curl().easy_cleanup(curl);
}

void curl_easy_reset(CURL* curl) {
  if (curl != nullptr) Curl().easy_reset(curl);
}

// The third argument's type follows from the option's number, as curl.h defines it: below
// CURLOPTTYPE_OBJECTPOINT a long, then object pointers, function pointers, curl_off_t, blobs.
CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  if (curl == nullptr) return CURLE_BAD_FUNCTION_ARGUMENT;
  va_list args;
  va_start(args, option);
  CURLcode rc;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    rc = Curl().easy_setopt(curl, option, va_arg(args, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    rc = Curl().easy_setopt(curl, option, va_arg(args, void*));
  } else if (option < CURLOPTTYPE_OFF_T) {
    using Function = void (*)();
    rc = Curl().easy_setopt(curl, option, va_arg(args, Function));
  } else if (option < CURLOPTTYPE_BLOB) {
    rc = Curl().easy_setopt(curl, option, va_arg(args, curl_off_t));
  } else {
    rc = Curl().easy_setopt(curl, option, va_arg(args, void*));
  }
  va_end(args);
  return rc;
}

CURLcode curl_easy_perform(CURL* curl) {
  return curl != nullptr ? Curl().easy_perform(curl) : CURLE_BAD_FUNCTION_ARGUMENT;
}

// Every CURLINFO takes a pointer to where the answer goes.
CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  if (curl == nullptr) return CURLE_BAD_FUNCTION_ARGUMENT;
  va_list args;
  va_start(args, info);
  CURLcode rc = Curl().easy_getinfo(curl, info, va_arg(args, void*));
  va_end(args);
  return rc;
}

const char* curl_easy_strerror(CURLcode code) {
  return Curl().easy_strerror ? Curl().easy_strerror(code) : "libcurl could not be loaded";
}

curl_slist* curl_slist_append(curl_slist* list, const char* text) {
  return Curl().slist_append ? Curl().slist_append(list, text) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  if (list != nullptr && Curl().slist_free_all) Curl().slist_free_all(list);
}

CURLSH* curl_share_init() { return Curl().share_init ? Curl().share_init() : nullptr; }

// CURLSHOPT_SHARE and UNSHARE take a curl_lock_data (read as an int, as curl reads it), LOCKFUNC
// and UNLOCKFUNC a function pointer, USERDATA a pointer.
CURLSHcode curl_share_setopt(CURLSH* share, CURLSHoption option, ...) {
  if (share == nullptr) return CURLSHE_INVALID;
  va_list args;
  va_start(args, option);
  CURLSHcode rc;
  if (option == CURLSHOPT_SHARE || option == CURLSHOPT_UNSHARE) {
    rc = Curl().share_setopt(share, option, va_arg(args, int));
  } else if (option == CURLSHOPT_LOCKFUNC || option == CURLSHOPT_UNLOCKFUNC) {
    using Function = void (*)();
    rc = Curl().share_setopt(share, option, va_arg(args, Function));
  } else {
    rc = Curl().share_setopt(share, option, va_arg(args, void*));
  }
  va_end(args);
  return rc;
}
}  // extern "C"
