-- A test provider whose plan checks its input against the rest of the blueprint and reports
-- failures with the attribute path, as a provider validating against a schema would.
local function plan(ctx, prior, proposed)
  local spec = proposed.spec or {}
  if type(spec.replicas) == "number" and spec.replicas > 3 then
    cairn.fail("at most 3 replicas are allowed, got " .. spec.replicas,
               { path = "spec.replicas", hint = "lower spec.replicas" })
  end
  local cluster = ctx.blueprint and ctx.blueprint.cluster and ctx.blueprint.cluster.name
  if spec.cluster ~= cluster then
    cairn.fail("spec.cluster must name this blueprint's cluster '" .. tostring(cluster) .. "'",
               { path = "spec.cluster", retryable = false })
  end
  return proposed
end

return {
  name = "strict",
  version = "1.0.0",
  api = 1,
  resources = {
    thing = {
      schema = { spec = { type = "map", required = true } },
      plan = plan,
      read = function(ctx, state) return state end,
      create = function(ctx, planned)
        if planned.spec.busy then
          cairn.fail("the service is busy", { retryable = true, retry_after = 7, path = "spec.busy" })
        end
        planned.id = ctx.address
        return planned
      end,
      update = function(ctx, prior, planned) planned.id = prior.id; return planned end,
      delete = function(ctx, prior) end,
    },
  },
}
