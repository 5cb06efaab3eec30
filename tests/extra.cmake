# Extra link needs of test binaries.

# Debian's cpp-httplib (the HTTPS test servers) ships its implementation as a shared library;
# tests include <httplib.h> with CPPHTTPLIB_OPENSSL_SUPPORT defined and link it here.
find_library(CPP_HTTPLIB_LIBRARY NAMES cpp-httplib REQUIRED)
# The HTTPS tests of the http module also make their certificates with libcrypto, which cairn
# itself loads on first use (engine/base/lazy_crypto.cc): cairn_base comes first, so that the
# crypto module under test calls its forwarders, not the linked libcrypto.
if(TARGET lua_tests)
  target_link_libraries(lua_tests PRIVATE ${CPP_HTTPLIB_LIBRARY} cairn_base OpenSSL::Crypto)
endif()
include(${CMAKE_CURRENT_SOURCE_DIR}/lua_runner/runner.cmake)
include(${CMAKE_CURRENT_SOURCE_DIR}/emulators/kube/emulator.cmake)
include(${CMAKE_CURRENT_SOURCE_DIR}/kube_provider/kube_provider.cmake)

# The progress display and the apply report are unit-tested from cli_tests; the end-to-end
# retry tests run a local cpp-httplib server.
if(TARGET cli_tests)
  target_sources(cli_tests PRIVATE ${CMAKE_SOURCE_DIR}/engine/cli/progress.cc
                                   ${CMAKE_SOURCE_DIR}/engine/cli/report.cc
                                   ${CMAKE_SOURCE_DIR}/engine/cli/signals.cc)
  target_link_libraries(cli_tests PRIVATE cairn_apply ${CPP_HTTPLIB_LIBRARY} OpenSSL::SSL)
endif()
include(${CMAKE_CURRENT_SOURCE_DIR}/emulators/pektin/emulator.cmake)
include(${CMAKE_CURRENT_SOURCE_DIR}/dns_pektin/dns_pektin.cmake)
include(${CMAKE_CURRENT_SOURCE_DIR}/dns_powerdns/dns_powerdns.cmake)

# The git tests serve repositories over https (git http-backend behind a cpp-httplib server).
if(TARGET git_tests)
  target_link_libraries(git_tests PRIVATE ${CPP_HTTPLIB_LIBRARY} OpenSSL::SSL)
endif()

# The etcd end-to-end tests hold the slow test plugin's create on a local cpp-httplib server.
if(TARGET etcd_tests)
  target_link_libraries(etcd_tests PRIVATE ${CPP_HTTPLIB_LIBRARY} OpenSSL::SSL)
endif()
