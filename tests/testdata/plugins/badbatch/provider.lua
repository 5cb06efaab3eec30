return {
  name = "badbatch",
  api = 1,
  resources = {
    box = {
      schema = { label = { type = "string" } },
      read = function(ctx, s) return s end,
      read_all = function(ctx, states) return {} end,
      read_all_by = "kind",
      create = function(ctx, p) return p end,
      update = function(ctx, s, p) return p end,
      delete = function(ctx, s) end,
    },
  },
}
