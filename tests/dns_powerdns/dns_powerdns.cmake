# End-to-end tests of the powerdns provider: the cairn binary against a real pdns_server
# (Debian's pdns-server with pdns-backend-sqlite3), records checked with dig (bind9-dnsutils).
file(GLOB dns_powerdns_test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cc)
if(dns_powerdns_test_sources AND TARGET kube_emulator AND TARGET cairn)
  add_executable(dns_powerdns_tests ${dns_powerdns_test_sources})
  target_link_libraries(dns_powerdns_tests PRIVATE kube_emulator cairn_test_support
                                                   ${CPP_HTTPLIB_LIBRARY} GTest::gtest_main)
  add_dependencies(dns_powerdns_tests cairn)
  gtest_discover_tests(dns_powerdns_tests DISCOVERY_MODE PRE_TEST
                       PROPERTIES ENVIRONMENT "CAIRN_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()
