# The Lua test runner: one ctest per tests/lua/*_test.lua, run in the plugin sandbox.
# Leading comment lines of a test file may name the folders its require() calls use:
#   -- plugin: tests/testdata/plugins/echo     (the plugin's own files; default: none)
#   -- lib: tests/testdata/plugins/lib         (lib.*; default: plugins/lib)
add_executable(lua_test_runner ${CMAKE_CURRENT_LIST_DIR}/runner.cc)
target_link_libraries(lua_test_runner PRIVATE cairn_lua)

file(GLOB lua_test_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/lua/*_test.lua)
foreach(test_file ${lua_test_files})
  get_filename_component(test_name ${test_file} NAME_WE)
  set(lib_dir ${CMAKE_SOURCE_DIR}/plugins/lib)
  set(plugin_args "")
  file(STRINGS ${test_file} head_lines LIMIT_COUNT 3)
  foreach(line ${head_lines})
    if(line MATCHES "^-- plugin: *([^ ]+)")
      set(plugin_args --plugin ${CMAKE_SOURCE_DIR}/${CMAKE_MATCH_1})
    elseif(line MATCHES "^-- lib: *([^ ]+)")
      set(lib_dir ${CMAKE_SOURCE_DIR}/${CMAKE_MATCH_1})
    endif()
  endforeach()
  add_test(NAME lua.${test_name}
           COMMAND lua_test_runner --lib ${lib_dir} ${plugin_args} ${test_file})
endforeach()
