-- A plugin-local module, loaded with require("helpers.shapes").
local M = {}

function M.area(w, h)
  return w * h
end

return M
