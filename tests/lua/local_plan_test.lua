-- plugin: plugins/local
-- Lua-level checks of the local provider's plan function (no files are touched by plan).
local plugin = require("provider")
local file = plugin.resources.file

local function proposed(extra)
  local p = { path = "etc/motd", content = "", mode = "0644" }
  for k, v in pairs(extra or {}) do p[k] = v end
  return p
end

return {
  plan_hashes_known_content = function()
    local planned = file.plan({}, nil, proposed({ content = "abc" }))
    check.eq(planned.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    check.eq(planned.size, 3)
    check.eq(planned.path, "etc/motd")
  end,
  plan_hashes_sensitive_content_without_showing_it = function()
    local planned = file.plan({}, nil, proposed({ sensitive_content = "" }))
    check.eq(planned.size, 0)
  end,
  plan_leaves_hash_unknown_when_content_is = function()
    local planned = file.plan({}, nil, proposed({ content = cairn.unknown }))
    check.eq(cairn.is_unknown(planned.sha256), true)
    check.eq(cairn.is_unknown(planned.size), true)
  end,
  plan_refuses_both_kinds_of_content = function()
    local err = check.error(function()
      file.plan({}, nil, proposed({ content = "a", sensitive_content = "b" }))
    end, "set content or sensitive_content, not both")
    check.contains(err.hint, "sensitive_content")
  end,
  plan_refuses_short_modes = function()
    local err = check.error(function() file.plan({}, nil, proposed({ mode = "644" })) end,
                            "is not four octal digits")
    check.contains(err.hint, "0644")
  end,
  provider_table_is_well_formed = function()
    check.eq(plugin.name, "local")
    check.eq(plugin.api, 1)
    check.eq(plugin.config.output_dir.default, "out")
    check.eq(file.schema.path.force_new, true)
    check.eq(file.schema.sensitive_content.sensitive, true)
    check.eq(plugin.resources.directory.schema.mode.default, "0755")
  end,
}
