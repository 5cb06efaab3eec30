# Extra link needs of test binaries.

# Debian's cpp-httplib (the HTTPS test servers) ships its implementation as a shared library;
# tests include <httplib.h> with CPPHTTPLIB_OPENSSL_SUPPORT defined and link it here.
find_library(CPP_HTTPLIB_LIBRARY NAMES cpp-httplib REQUIRED)
if(TARGET lua_tests)
  target_link_libraries(lua_tests PRIVATE ${CPP_HTTPLIB_LIBRARY})
endif()
include(${CMAKE_CURRENT_SOURCE_DIR}/lua_runner/runner.cmake)
include(${CMAKE_CURRENT_SOURCE_DIR}/emulators/kube/emulator.cmake)
