-- plugin: tests/testdata/plugins/echo
-- lib: tests/testdata/plugins/lib
-- Lua-level checks of the sandbox, run by lua_test_runner.
return {
  globals_are_guarded = function()
    check.error(function() undeclared_thing = 1 end, "assignment to undeclared global 'undeclared_thing'")
    check.error(function() return io.open end, "undeclared global 'io'")
  end,
  plugin_files_and_lib_load = function()
    check.eq(require("helpers.shapes").area(2, 5), 10)
    check.eq(require("lib.testutil").prefix("a", "b"), "ab")
    check.error(function() require("../x") end, "invalid module name")
  end,
  fail_is_structured = function()
    local err = check.error(function() cairn.fail("nope", { hint = "h", retryable = true }) end, "nope")
    check.eq({ err.hint, err.retryable }, { "h", true })
  end,
  unknown_sentinel = function()
    check.eq(cairn.is_unknown(cairn.unknown), true)
    check.eq(cairn.is_unknown({}), false)
  end,
  check_eq_compares_deeply = function()
    check.eq({ a = { 1, 2 }, b = "x" }, { b = "x", a = { 1, 2 } })
    check.error(function() check.eq({ 1 }, { 2 }) end, "expected {1=2}, got {1=1}")
  end,
}
