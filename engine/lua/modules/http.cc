// host.http: HTTP(S) requests over libcurl, one reusable connection cache per Lua state.
//
// The easy handle lives in a userdata (the upvalue of `request`) whose __gc frees it, so each VM
// keeps its own connections alive between calls; curl_easy_reset() clears the options of the
// previous request but keeps open connections and TLS sessions. The VMs of one plugin share TLS
// sessions and DNS answers (PluginShare), so that each VM's first connection resumes a session
// instead of a full handshake.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>

#include "engine/base/lazy_curl.h"
#include "engine/lua/binding.h"
#include "engine/lua/host_context.h"
#include "engine/lua/modules/modules.h"

namespace cairn::lua {
namespace {

constexpr size_t kMaxResponseBytes = size_t{64} << 20;
constexpr double kDefaultTimeout = 30;
constexpr double kMaxConnectTimeout = 10;

/// The per-state curl handle, stored in a full userdata.
struct HttpHandle {
  CURL* curl;
};

/// What the curl callbacks fill in while one request runs.
struct Exchange {
  std::string body;
  Value::Map headers;
  bool too_large = false;
  const HostContext* ctx = nullptr;
};

struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::atomic<bool> http_opened{false};

/// A curl share with its locks. Shares are per plugin, not per process: a TLS session resumed
/// by another plugin's VM could carry that plugin's client certificate.
struct Share {
  CURLSH* sh = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
};

void LockShare(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  static_cast<Share*>(user)->locks[data].lock();
}

void UnlockShare(CURL*, curl_lock_data data, void* user) {
  static_cast<Share*>(user)->locks[data].unlock();
}

/// The share of `plugin`'s VMs (nullptr when curl cannot make one). Never freed: handles of any
/// VM may use it until the process ends.
CURLSH* PluginShare(const std::string& plugin) {
  static std::mutex mu;
  static auto* shares = new std::map<std::string, Share*>;
  std::lock_guard<std::mutex> lock(mu);
  Share*& s = (*shares)[plugin];
  if (s == nullptr) {
    s = new Share;
    s->sh = curl_share_init();
    if (s->sh != nullptr) {
      curl_share_setopt(s->sh, CURLSHOPT_LOCKFUNC, LockShare);
      curl_share_setopt(s->sh, CURLSHOPT_UNLOCKFUNC, UnlockShare);
      curl_share_setopt(s->sh, CURLSHOPT_USERDATA, s);
      curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
      curl_share_setopt(s->sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    }
  }
  return s->sh;
}

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t bytes = size * n;
  if (ex->body.size() + bytes > kMaxResponseBytes) {
    ex->too_large = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  ex->body.append(data, bytes);
  return bytes;
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  size_t bytes = size * n;
  std::string_view line(data, bytes);
  if (line.substr(0, 5) == "HTTP/") {
    ex->headers.clear();  // a new response (after 100 Continue, say): forget the earlier one
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bytes;
  std::string name(Trim(line.substr(0, colon)));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = Trim(line.substr(colon + 1));
  auto it = ex->headers.find(name);
  if (it == ex->headers.end())
    ex->headers.emplace(std::move(name), Value(std::string(value)));
  else
    it->second = Value(it->second.AsString() + ", " + std::string(value));
  return bytes;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ex = static_cast<Exchange*>(user);
  bool cancelled = ex->ctx && ex->ctx->cancelled && ex->ctx->cancelled->load();
  return cancelled ? 1 : 0;
}

/// The options of one request. Views point into the request table's strings (the fast reader)
/// or into the Value it was converted to (the general one), both alive for the whole call.
struct RequestSpec {
  std::string_view url, method, body, ca_file, client_cert, client_key, ca_pem, cert_pem, key_pem;
  bool has_body = false;
  double timeout = kDefaultTimeout;
  bool has_timeout = false;  // given: must be a positive number
  bool insecure = false;
  bool insecure_not_bool = false;
  struct Header {
    std::string_view name, value;
    bool bad = false;  // neither a string nor a number
  };
  std::vector<Header> headers;  // sorted by name
  bool headers_not_map = false;
  std::map<std::string, std::string> type_errors;  // option -> message, raised where checked
  std::deque<std::string> owned;                   // numbers written as header text
};

// Raises the type error of `option`, if it had one.
void CheckType(const RequestSpec& spec, const char* option) {
  auto it = spec.type_errors.find(option);
  if (it != spec.type_errors.end()) throw BindingError{it->second};
}

std::string_view* StringOption(RequestSpec* spec, std::string_view key) {
  if (key == "url") return &spec->url;
  if (key == "method") return &spec->method;
  if (key == "body") return &spec->body;
  if (key == "ca_file") return &spec->ca_file;
  if (key == "client_cert") return &spec->client_cert;
  if (key == "client_key") return &spec->client_key;
  if (key == "ca_pem") return &spec->ca_pem;
  if (key == "client_cert_pem") return &spec->cert_pem;
  if (key == "client_key_pem") return &spec->key_pem;
  return nullptr;
}

std::string_view View(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return std::string_view(s, len);
}

// Reads the request table at index 1 without converting it, when it holds only the options with
// their usual types (strings, a number timeout, a boolean insecure, a plain table of string
// headers). Anything else returns false, and the table is converted and checked as a Value, so
// that every misuse keeps its message. Allocates nothing in Lua, so it never raises.
bool ReadRequestFast(lua_State* L, RequestSpec* spec) {
  if (lua_type(L, 1) != LUA_TTABLE || !lua_checkstack(L, 6)) return false;
  bool ok = true;
  lua_pushnil(L);
  while (ok && lua_next(L, 1) != 0) {
    int vt = lua_type(L, -1);
    if (lua_type(L, -2) != LUA_TSTRING) {
      ok = false;
    } else if (std::string_view key = View(L, -2);
               std::string_view* field = StringOption(spec, key)) {
      ok = vt == LUA_TSTRING;
      if (ok) *field = View(L, -1);
      if (ok && key == "body") spec->has_body = true;
    } else if (key == "timeout") {
      ok = vt == LUA_TNUMBER;
      spec->has_timeout = true;
      spec->timeout = lua_tonumber(L, -1);
    } else if (key == "insecure") {
      ok = vt == LUA_TBOOLEAN;
      spec->insecure = lua_toboolean(L, -1) != 0;
    } else if (key == "headers") {
      ok = vt == LUA_TTABLE && !lua_getmetatable(L, -1);
      lua_pushnil(L);
      while (ok && lua_next(L, -2) != 0) {
        ok = lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING;
        if (ok) spec->headers.push_back(RequestSpec::Header{View(L, -2), View(L, -1)});
        lua_pop(L, ok ? 1 : 2);
      }
    } else {
      ok = false;
    }
    lua_pop(L, ok ? 1 : 2);
  }
  return ok;
}

// The general reader: `req` is the request table converted to a Value (kept by the caller).
// Misuse is noted, not raised, so that Request raises each error where it always did.
void ReadRequest(const Value& req, RequestSpec* spec) {
  auto str = [&](const char* key, std::string_view* out) {
    const Value* v = req.Find(key);
    if (v == nullptr || v->is_null()) return;
    if (!v->is_string()) {
      spec->type_errors[key] =
          std::string("http.request: ") + key + " must be a string, got " + v->kind_name();
      return;
    }
    *out = v->AsString();
  };
  str("url", &spec->url);
  str("method", &spec->method);
  const Value* body_v = req.Find("body");
  str("body", &spec->body);
  spec->has_body = body_v != nullptr && !body_v->is_null();
  if (const Value* t = req.Find("timeout"); t != nullptr && !t->is_null()) {
    spec->has_timeout = true;
    spec->timeout = t->is_number() ? t->AsNumber() : -1;
  }
  if (const Value* v = req.Find("insecure"); v != nullptr && !v->is_null()) {
    spec->insecure_not_bool = !v->is_bool();
    spec->insecure = v->is_bool() && v->AsBool();
  }
  if (const Value* h = req.Find("headers"); h != nullptr && !h->is_null()) {
    if (!h->is_map()) {
      spec->headers_not_map = true;
    } else {
      for (const auto& [name, value] : h->AsMap()) {
        RequestSpec::Header header{name, {}, !value.is_string() && !value.is_number()};
        if (value.is_string()) {
          header.value = value.AsString();
        } else if (value.is_number()) {
          header.value = spec->owned.emplace_back(value.ToString());
        }
        spec->headers.push_back(header);
      }
    }
  }
  str("ca_file", &spec->ca_file);
  str("client_cert", &spec->client_cert);
  str("client_key", &spec->client_key);
  str("ca_pem", &spec->ca_pem);
  str("client_cert_pem", &spec->cert_pem);
  str("client_key_pem", &spec->key_pem);
}

int GcHandle(lua_State* L) {
  auto* h = static_cast<HttpHandle*>(lua_touserdata(L, 1));
  if (h != nullptr && h->curl != nullptr) {
    curl_easy_cleanup(h->curl);
    h->curl = nullptr;
  }
  return 0;
}

int Request(lua_State* L) {
  return Bind(L, "request", [](Args& a, Returns& r) {
    RequestSpec spec;
    Value req;  // the converted table, when the fast reader declined it
    if (!ReadRequestFast(a.state(), &spec)) {
      spec = RequestSpec();
      req = a.Table(1);
      ReadRequest(req, &spec);
    }
    std::sort(
        spec.headers.begin(), spec.headers.end(),
        [](const RequestSpec::Header& x, const RequestSpec::Header& y) { return x.name < y.name; });
    CheckType(spec, "url");
    std::string url(spec.url);
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0)
      a.Fail(1, "url must start with https:// or http://");
    CheckType(spec, "method");
    std::string method(spec.method);
    if (method.empty()) method = "GET";
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    CheckType(spec, "body");
    double timeout = kDefaultTimeout;
    if (spec.has_timeout) {
      if (!(spec.timeout > 0)) a.Fail(1, "timeout must be a positive number");
      timeout = spec.timeout;
    }
    if (spec.insecure_not_bool) a.Fail(1, "insecure must be a boolean");
    bool insecure = spec.insecure;

    const HostContext* ctx = GetHostContext(a.state());
    if (insecure && (ctx == nullptr || !ctx->InsecureAllowed(url))) {
      std::string plugin = ctx && !ctx->plugin.empty() ? ctx->plugin : "<name>";
      throw BindingError{"http.request: insecure = true is refused for " + url +
                         ": TLS verification may be switched off only for URLs listed under "
                         "providers." +
                         plugin +
                         ".insecure_endpoints in the blueprint (a list "
                         "of URL prefixes, e.g. [\"https://10.0.0.5:8006/\"])"};
    }
    if (ctx != nullptr) {
      double left = ctx->SecondsLeft();
      if (left <= 0) {
        r.emplace_back();
        r.emplace_back("deadline passed before the request to " + url + " was sent");
        return;
      }
      timeout = std::min(timeout, left);
    }

    auto* handle = static_cast<HttpHandle*>(lua_touserdata(a.state(), lua_upvalueindex(1)));
    if (handle->curl == nullptr) {
      GlobalInit();  // here, not when the module opens: most runs never send a request
      handle->curl = curl_easy_init();
    }
    CURL* curl = handle->curl;
    if (curl == nullptr)
      throw BindingError{"http.request: cannot start libcurl: " + CurlLoadError()};
    curl_easy_reset(curl);

    std::unique_ptr<curl_slist, SlistFree> headers(curl_slist_append(nullptr, "Expect:"));
    if (spec.headers_not_map) a.Fail(1, "headers must be a table of name = value");
    for (const RequestSpec::Header& h : spec.headers) {
      std::string name(h.name);
      if (h.bad) a.Fail(1, "header " + name + " must be a string");
      std::string line = name + ": " + std::string(h.value);
      if (line.find_first_of("\r\n") != std::string::npos)
        a.Fail(1, "header " + name + " contains a line break");
      headers.reset(curl_slist_append(headers.release(), line.c_str()));
    }

    if (CURLSH* share = PluginShare(ctx != nullptr ? ctx->plugin : std::string()))
      curl_easy_setopt(curl, CURLOPT_SHARE, share);

    Exchange ex;
    ex.ctx = ctx;
    char errbuf[CURL_ERROR_SIZE];
    errbuf[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ex);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(std::ceil(timeout * 1000)));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::ceil(std::min(timeout, kMaxConnectTimeout) * 1000)));
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxResponseBytes));
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
    for (const char* option :
         {"ca_file", "client_cert", "client_key", "ca_pem", "client_cert_pem", "client_key_pem"})
      CheckType(spec, option);
    std::string ca_file(spec.ca_file), client_cert(spec.client_cert), client_key(spec.client_key);
    if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
    if (!client_cert.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERT, client_cert.c_str());
    if (!client_key.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEY, client_key.c_str());
    // The same as PEM text (a kubeconfig's *-data fields), so that no key has to touch the disk;
    // curl copies the blobs.
    auto blob = [&](CURLoption option, std::string_view pem) {
      if (pem.empty()) return;
      curl_blob b{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(curl, option, &b);
    };
    blob(CURLOPT_CAINFO_BLOB, spec.ca_pem);
    blob(CURLOPT_SSLCERT_BLOB, spec.cert_pem);
    blob(CURLOPT_SSLKEY_BLOB, spec.key_pem);
    if (!spec.cert_pem.empty()) curl_easy_setopt(curl, CURLOPT_SSLCERTTYPE, "PEM");
    if (!spec.key_pem.empty()) curl_easy_setopt(curl, CURLOPT_SSLKEYTYPE, "PEM");

    if (method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    if (spec.has_body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(spec.body.size()));
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, spec.body.data());
      if (method == "GET") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "GET");
    }

    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
      std::string msg;
      if (ex.too_large || rc == CURLE_FILESIZE_EXCEEDED)
        msg = "response from " + url + " is larger than 64 MiB";
      else if (rc == CURLE_ABORTED_BY_CALLBACK)
        msg = "request to " + url + " was cancelled";
      else
        msg = std::string(errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
      r.emplace_back();
      r.emplace_back(std::move(msg));
      return;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    Value::Map resp;
    resp["status"] = static_cast<int64_t>(status);
    resp["headers"] = Value(std::move(ex.headers));
    resp["body"] = Value(std::move(ex.body));
    r.emplace_back(std::move(resp));
  });
}

}  // namespace

bool HttpModuleOpened() { return http_opened.load(); }

void PrepareHttp() { GlobalInit(); }

int OpenHttpModule(lua_State* L) {
  http_opened = true;
  lua_newtable(L);
  auto* handle = static_cast<HttpHandle*>(lua_newuserdatauv(L, sizeof(HttpHandle), 0));
  handle->curl = nullptr;
  lua_newtable(L);
  lua_pushcfunction(L, GcHandle);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_pushcclosure(L, Request, 1);
  lua_setfield(L, -2, "request");
  return 1;
}

}  // namespace cairn::lua
