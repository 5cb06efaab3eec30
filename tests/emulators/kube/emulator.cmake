# The Kubernetes API emulator: a library for in-process tests, a standalone server for
# benchmarks and kubectl, and its tests (tests/kube/*_test.cc -> kube_tests).
find_package(ZLIB REQUIRED)  # the tests' gunzip (zlib1g-dev comes with libcpp-httplib-dev)
pkg_check_modules(LIBDEFLATE REQUIRED IMPORTED_TARGET libdeflate)  # gzip of large responses
file(GLOB kube_emulator_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cc)
list(REMOVE_ITEM kube_emulator_sources ${CMAKE_CURRENT_LIST_DIR}/main.cc)
add_library(kube_emulator STATIC ${kube_emulator_sources})
target_include_directories(kube_emulator PUBLIC ${CMAKE_SOURCE_DIR})
# cpp-httplib: the HTTP clients of the emulator's tests (the server is http_server.cc).
target_link_libraries(kube_emulator PUBLIC cairn_blueprint ${CPP_HTTPLIB_LIBRARY} OpenSSL::SSL
                                           OpenSSL::Crypto yaml-cpp ZLIB::ZLIB PkgConfig::LIBDEFLATE
                                           Threads::Threads)

add_executable(kube-emulator ${CMAKE_CURRENT_LIST_DIR}/main.cc)
# The standalone server shares the benchmark's cores with the client it serves; its JSON
# documents are trees of small allocations, which glibc's malloc made a third of its work.
if(CAIRN_MIMALLOC AND NOT CAIRN_SANITIZE)
  target_link_libraries(kube-emulator PRIVATE mimalloc)
endif()
target_link_libraries(kube-emulator PRIVATE kube_emulator)

file(GLOB kube_test_sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/kube/*.cc)
if(kube_test_sources)
  add_executable(kube_tests ${kube_test_sources})
  target_link_libraries(kube_tests PRIVATE kube_emulator cairn_test_support GTest::gtest_main)
  add_dependencies(kube_tests kube-emulator)
  target_compile_definitions(kube_tests PRIVATE
                             KUBE_EMULATOR_BINARY="$<TARGET_FILE:kube-emulator>")
  gtest_discover_tests(kube_tests DISCOVERY_MODE PRE_TEST
                       PROPERTIES ENVIRONMENT "CAIRN_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()
