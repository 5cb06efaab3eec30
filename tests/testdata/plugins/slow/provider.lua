-- A test provider whose create takes a while: it busy-waits `seconds` of CPU time (so the
-- instruction hook sees a Ctrl-C or a passed deadline) and/or fetches `url` through lib.http
-- (so a local server can delay it, or answer 503 with Retry-After).
local http = require("lib.http")

local function create(ctx, planned)
  if planned.url then http.request{ url = planned.url } end
  if planned.seconds then
    local until_clock = os.clock() + planned.seconds
    while os.clock() < until_clock do end
  end
  planned.id = ctx.address
  return planned
end

local schema = {
  seconds = { type = "number" },
  url = { type = "string" },
  note = { type = "string" },
}

return {
  name = "slow",
  version = "1.0.0",
  api = 1,
  resources = {
    thing = {
      schema = schema,
      read = function(ctx, state) return state end,
      create = create,
      update = function(ctx, prior, planned) planned.id = prior.id; return planned end,
      delete = function(ctx, prior) end,
    },
    -- The same, with a one-second timeout of its own.
    bounded = {
      schema = schema,
      timeout = 1,
      read = function(ctx, state) return state end,
      create = create,
      update = function(ctx, prior, planned) planned.id = prior.id; return planned end,
      delete = function(ctx, prior) end,
    },
  },
}
