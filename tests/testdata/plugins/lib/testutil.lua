-- A shared library for test plugins, loaded with require("lib.testutil").
local M = {}

function M.prefix(p, s)
  return p .. s
end

return M
