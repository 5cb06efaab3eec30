# End-to-end tests of the pektin provider: the cairn binary against the pektin-api emulator.
file(GLOB dns_pektin_test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cc)
if(dns_pektin_test_sources AND TARGET pektin_emulator AND TARGET cairn)
  add_executable(dns_pektin_tests ${dns_pektin_test_sources})
  target_link_libraries(dns_pektin_tests PRIVATE pektin_emulator cairn_test_support
                                                 GTest::gtest_main)
  add_dependencies(dns_pektin_tests cairn)
  gtest_discover_tests(dns_pektin_tests DISCOVERY_MODE PRE_TEST
                       PROPERTIES ENVIRONMENT "CAIRN_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()
