// Opening a shared library on first use; see lazy_library.h.
#include "engine/base/lazy_library.h"

namespace cairn {

void* OpenLibrary(const char* soname, const char* package, std::string* error) {
  void* lib = dlopen(soname, RTLD_LAZY | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    *error = std::string("cannot load ") + soname + " (" + (why ? why : "not found") +
             "); install the " + package + " package";
  }
  return lib;
}

}  // namespace cairn
