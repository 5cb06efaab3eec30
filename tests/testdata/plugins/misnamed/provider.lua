return {
  name = "other",
  api = 1,
  resources = {},
}
