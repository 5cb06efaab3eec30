-- A test provider: keeps objects in memory and echoes what it is given.
local util = require("lib.testutil")
local shapes = require("helpers.shapes")
local log = require("host.log")
local json = require("host.json")

local store = {}
local stashed  -- a read_all state kept past its call (a misuse read_all must catch)

local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

return {
  name = "echo",
  version = "0.1.0",
  api = 1,
  description = "Echoes attributes back; for tests of the plugin host.",
  config = {
    greeting = { type = "string", default = "hello" },
    token = { type = "string", sensitive = true },
  },
  configure = function(config)
    return { greeting = config.greeting, token = config.token }
  end,
  expand = function(bp)
    local out = {}
    for _, n in ipairs(bp.echoes or {}) do
      out[#out + 1] = { type = "thing", name = n, attributes = { name = n }, depends_on = {} }
    end
    if bp.echo_keys then  -- one per top-level key, found by pairs
      local keys = {}
      for k in pairs(bp) do keys[#keys + 1] = k end
      table.sort(keys)
      for _, k in ipairs(keys) do
        out[#out + 1] = { type = "thing", name = "k-" .. k, attributes = { name = k } }
      end
    end
    return out
  end,
  resources = {
    thing = {
      description = "A thing with a name.",
      timeout = 5,
      schema = {
        name = { type = "string", required = true, force_new = true },
        tags = { type = "list", default = {} },
        meta = { type = "map" },
        size = { type = "number", computed = true },
        secret = { type = "string", sensitive = true },
        greeting = { type = "string", computed = true },
        action = { type = "string" },
      },
      read = function(ctx, state)
        if state.name == "gone" then return nil end
        return store[state.id] or state
      end,
      read_all = function(ctx, states)
        local out = {}
        for _, s in ipairs(states) do
          if s.name == "same" then out[s.id] = true  -- unchanged: the host keeps the prior
          elseif s.name == "liar" then out["thing-nobody"] = true
          -- The states' tables behave as plain tables whatever the plugin does with them.
          elseif s.name == "pairs" then out[s.id] = copy(s)
          elseif s.name == "index" then
            out[s.id] = { id = s.id, name = s.name, meta = { k = s.meta.k, n = #s.tags } }
          elseif s.name == "encode" then
            out[s.id] = { id = s.id, name = s.name, meta = { json = json.encode(s) } }
          elseif s.name == "write" then
            s.meta = { k = "written" }
            out[s.id] = s
          elseif s.name == "stash" then
            stashed = s
            out[s.id] = true
          elseif s.name == "late" then
            local ok, err = pcall(function() return stashed.meta end)
            out[s.id] = { id = s.id, name = s.name, meta = { err = tostring(ok) .. " " .. tostring(err) } }
          elseif s.name ~= "gone" then out[s.id] = s end
        end
        return out
      end,
      plan = function(ctx, prior, proposed)
        local planned = copy(proposed)
        planned.size = cairn.unknown
        return planned, { requires_replace = { "name" } }
      end,
      create = function(ctx, planned)
        local a = planned.action
        if a == "fail" then
          cairn.fail("the server said no", { hint = "try again later", retryable = true })
        elseif a == "error" then
          error("plain failure")
        elseif a == "wrong_type" then
          return { id = "x", size = "big" }
        elseif a == "no_id" then
          return { name = planned.name }
        elseif a == "extra" then
          return { id = "x", colour = "red" }
        elseif a == "loop" then
          while true do end
        elseif a == "log_secret" then
          log.info("the secret is " .. planned.secret)
          ctx.log.warn("ctx says " .. planned.secret)
        elseif a == "leak_secret" then
          error("cannot use " .. planned.secret)
        elseif a == "unknown" then
          return { id = "x", size = cairn.unknown }
        end
        local state = copy(planned)
        state.id = util.prefix("thing-", planned.name)
        state.size = shapes.area(#planned.name, 2)
        state.greeting = ctx.client.greeting
        store[state.id] = state
        return state
      end,
      update = function(ctx, prior, planned)
        local state = copy(planned)
        state.id = prior.id
        state.size = prior.size
        state.greeting = ctx.client.greeting
        return state
      end,
      delete = function(ctx, prior)
        store[prior.id] = nil
      end,
      import = function(ctx, id)
        return { id = id, name = string.gsub(id, "^thing%-", "") }
      end,
      read_all_by = "id_parent",
    },
    echo = {
      schema = { value = { type = "any" }, ctx_info = { type = "map", computed = true } },
      read = function(ctx, state) return state end,
      create = function(ctx, planned)
        return {
          id = "echo",
          value = planned.value,
          ctx_info = {
            address = ctx.address, type = ctx.type, config_greeting = ctx.config.greeting,
            has_deadline = type(ctx.deadline) == "number", unknown_in = cairn.is_unknown(planned.value),
          },
        }
      end,
      update = function(ctx, prior, planned) return planned end,
      delete = function(ctx, prior) end,
    },
  },
}
