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

# bench/kube/run.sh in quick mode (cairn only, 56 objects), so that the benchmark does not rot.
if(TARGET kube-emulator AND TARGET cairn)
  add_test(NAME bench.kube_smoke
           COMMAND bash ${CMAKE_SOURCE_DIR}/bench/kube/run.sh --quick --cairn $<TARGET_FILE:cairn>
                   --emulator $<TARGET_FILE:kube-emulator> --work ${CMAKE_BINARY_DIR}/bench-kube-smoke)
  set_tests_properties(bench.kube_smoke PROPERTIES PASS_REGULAR_EXPRESSION "plan after changing 10")
endif()
