// Opening a shared library on first use, for the forwarders that stand in for a linked one.
#pragma once

#include <string>

#include <dlfcn.h>

namespace cairn {

/// cairn keeps libraries that most runs never call (libcurl, libgit2, libcrypto) out of its
/// DT_NEEDED list, so that the loader does not map and relocate them before main(); each
/// lazy_*.cc defines the functions cairn calls and forwards them to the library, which it opens
/// with this on the first call (see lazy_curl.h, lazy_crypto.cc, engine/git/lazy_git2.cc).
///
/// dlopen()s `soname` (RTLD_LOCAL, never closed: forwarders keep its functions). On failure
/// returns nullptr and sets *error to why, naming the Debian `package` to install.
///
/// RTLD_LAZY, as the loader binds libraries linked normally: a function of the library or of
/// its dependencies is bound on its first call. RTLD_NOW would bind every one of them at once
/// (libcurl's and libgit2's trees hold thousands), more work than linking did. The functions a
/// forwarder needs are looked up with FindSymbol when the library is opened.
void* OpenLibrary(const char* soname, const char* package, std::string* error);

/// Looks `name` up in `lib` (opened as `soname`) into *out; records the first missing one in
/// *error. Returns whether it was found.
template <typename F>
bool FindSymbol(void* lib, const char* soname, const char* name, F* out, std::string* error) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  if (*out == nullptr && error->empty()) *error = std::string(soname) + " has no " + name;
  return *out != nullptr;
}

}  // namespace cairn

/// Makes a forwarder's symbol local to the binary (STV_HIDDEN), so that it is never exported
/// and never stands in for the library's own function when another library calls that. Said
/// to the assembler because libgit2's headers declare their functions with default visibility,
/// which a visibility attribute on the definition may not override. Only for defined names.
#define CAIRN_HIDE_SYMBOL(name) __asm__(".hidden " #name);
