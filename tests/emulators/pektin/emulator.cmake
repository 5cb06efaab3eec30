# The pektin-api emulator, a library for in-process tests of the pektin provider.
add_library(pektin_emulator STATIC ${CMAKE_CURRENT_LIST_DIR}/pektin_emulator.cc)
target_include_directories(pektin_emulator PUBLIC ${CMAKE_SOURCE_DIR})
target_link_libraries(pektin_emulator PUBLIC cairn_base ${CPP_HTTPLIB_LIBRARY} Threads::Threads)
