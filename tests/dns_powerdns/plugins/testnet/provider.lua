-- A test-only provider standing in for a cloud server: `testnet.server` gets its IPv4 address
-- when it is applied (198.51.100.<octet>, from the documentation range), so that records which
-- reference it are "(known after apply)" in a plan. Nothing outside the state is touched.
return {
  name = "testnet",
  version = "1.0.0",
  api = 1,
  description = "Servers whose address is known only after apply (tests).",
  resources = {
    server = {
      description = "A server; its address follows `octet` and is assigned at apply.",
      schema = {
        octet = { type = "number", required = true, description = "Last octet of the address." },
        ipv4 = { type = "string", computed = true, description = "The address, known after apply." },
      },
      plan = function(ctx, prior, proposed)
        local planned = {}
        for k, v in pairs(proposed) do planned[k] = v end
        if prior == nil or prior.octet ~= proposed.octet then planned.ipv4 = cairn.unknown end
        return planned
      end,
      read = function(ctx, state) return state end,
      create = function(ctx, planned)
        return { id = "server", octet = planned.octet, ipv4 = "198.51.100." .. planned.octet }
      end,
      update = function(ctx, prior, planned)
        return { id = prior.id, octet = planned.octet, ipv4 = "198.51.100." .. planned.octet }
      end,
      delete = function(ctx, prior) end,
    },
    -- The same, but its plan does not say that the address will change (a provider bug that
    -- the engine must point out rather than leave records silently stale).
    quiet_server = {
      description = "A server whose plan does not announce a new address.",
      schema = {
        octet = { type = "number", required = true, description = "Last octet of the address." },
        ipv4 = { type = "string", computed = true, description = "The address, known after apply." },
      },
      read = function(ctx, state) return state end,
      create = function(ctx, planned)
        return { id = "quiet", octet = planned.octet, ipv4 = "198.51.100." .. planned.octet }
      end,
      update = function(ctx, prior, planned)
        return { id = prior.id, octet = planned.octet, ipv4 = "198.51.100." .. planned.octet }
      end,
      delete = function(ctx, prior) end,
    },
  },
}
