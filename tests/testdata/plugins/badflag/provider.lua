return {
  name = "badflag",
  api = 1,
  resources = {
    box = {
      schema = {
        label = { type = "string", requried = true },
      },
      read = function(ctx, s) return s end,
      create = function(ctx, p) return p end,
      update = function(ctx, s, p) return p end,
      delete = function(ctx, s) end,
    },
  },
}
