-- The `null` provider: objects that exist only in cairn's state, for benchmarks.
--
-- null.data behaves like Terraform's built-in terraform_data resource: `output` repeats `input`
-- and is known only after apply, so a chain of references waits for each link, just as it does
-- in Terraform. No function touches anything outside the VM, which makes a benchmark of this
-- provider measure the engine and nothing else.

return {
  name = "null",
  version = "1.0.0",
  api = 1,
  description = "Objects that live only in state (benchmarks and tests).",
  config = {},
  resources = {
    data = {
      description = "A value stored in state; output repeats input after apply.",
      schema = {
        input = { type = "string", default = "", description = "Any text." },
        output = { type = "string", computed = true, description = "The input, after apply." },
      },

      -- As terraform_data: a new or changed input makes output unknown until apply.
      plan = function(ctx, prior, proposed)
        local planned = {}
        for k, v in pairs(proposed) do planned[k] = v end
        if prior == nil or prior.input ~= proposed.input then planned.output = cairn.unknown end
        return planned
      end,

      -- Nothing lives outside state, so what was recorded is what exists.
      read = function(ctx, state) return state end,

      read_all = function(ctx, states)
        local found = {}
        for _, state in ipairs(states) do found[state.id] = state end
        return found
      end,

      create = function(ctx, planned)
        return { id = ctx.address, input = planned.input, output = planned.input }
      end,

      update = function(ctx, prior, planned)
        return { id = prior.id, input = planned.input, output = planned.input }
      end,

      delete = function(ctx, prior) end,
    },
  },
}
