# End-to-end tests of the kubernetes provider: the cairn binary against the in-process
# Kubernetes API emulator (tests/emulators/kube).
file(GLOB kube_provider_test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cc)
if(kube_provider_test_sources AND TARGET kube_emulator AND TARGET cairn)
  add_executable(kube_provider_tests ${kube_provider_test_sources})
  target_link_libraries(kube_provider_tests PRIVATE kube_emulator cairn_state cairn_test_support
                                                    GTest::gtest_main)
  add_dependencies(kube_provider_tests cairn)
  gtest_discover_tests(kube_provider_tests DISCOVERY_MODE PRE_TEST
                       PROPERTIES ENVIRONMENT "CAIRN_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endif()
