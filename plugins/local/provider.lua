-- The `local` provider: files and folders on this machine, under the provider's output_dir.
--
-- It is the worked example of docs/plugins.md, so it stays small: every function below is one
-- the host calls, and everything it touches goes through host.fs, which confines it to output_dir.
local fs = require("host.fs")
local crypto = require("host.crypto")

-- A file's text comes from `content`, or from `sensitive_content` when it must not be shown.
local function text_of(attrs)
  if attrs.sensitive_content ~= nil then return attrs.sensitive_content end
  return attrs.content or ""
end

-- The state of the file at `path` as it is now on disk, or nil when it is gone. `sensitive` says
-- which attribute reports the text, so that a hand edit shows up where the blueprint set it.
local function file_state(path, sensitive)
  local text = fs.read(path)
  if text == nil then return nil end
  local state = {
    id = path, path = path, mode = fs.stat(path).mode,
    sha256 = crypto.sha256(text), size = #text, content = "",
  }
  if sensitive then state.sensitive_content = text else state.content = text end
  return state
end

local function check_mode(mode, example)
  if type(mode) == "string" and not mode:match("^[0-7][0-7][0-7][0-7]$") then
    cairn.fail("mode " .. string.format("%q", mode) .. " is not four octal digits",
               { hint = "write it like " .. example })
  end
end

local function write_file(planned)
  local text = text_of(planned)
  fs.write(planned.path, text, planned.mode)
  return file_state(planned.path, planned.sensitive_content ~= nil)
end

local function directory_state(path)
  local st = fs.stat(path)
  if st == nil or st.type ~= "directory" then return nil end
  return { id = path, path = path, mode = st.mode }
end

return {
  name = "local",
  version = "1.0.0",
  api = 1,
  description = "Files and folders on this machine, under one output folder.",
  config = {
    output_dir = {
      type = "string", default = "out",
      description = "Folder that every path is relative to (relative to the blueprint's folder).",
    },
  },
  resources = {
    file = {
      description = "A file with the given content and permissions.",
      schema = {
        path = { type = "string", required = true, force_new = true,
                 description = "Path under output_dir, e.g. \"etc/motd\"." },
        content = { type = "string", default = "", description = "The text of the file." },
        sensitive_content = { type = "string", sensitive = true,
                              description = "The text, never shown in plans or logs." },
        mode = { type = "string", default = "0644", description = "Permissions, e.g. \"0600\"." },
        sha256 = { type = "string", computed = true, description = "SHA-256 of the text (hex)." },
        size = { type = "number", computed = true, description = "Length of the text in bytes." },
      },

      -- Fills in what the plan can already know (the hash of known text) and checks the input.
      plan = function(ctx, prior, proposed)
        if proposed.sensitive_content ~= nil and (proposed.content or "") ~= "" then
          cairn.fail("set content or sensitive_content, not both",
                     { hint = "use sensitive_content for secrets; leave content out" })
        end
        check_mode(proposed.mode, "\"0644\"")
        local planned = {}
        for k, v in pairs(proposed) do planned[k] = v end
        local text = text_of(proposed)
        if cairn.is_unknown(text) then
          planned.sha256, planned.size = cairn.unknown, cairn.unknown
        else
          planned.sha256, planned.size = crypto.sha256(text), #text
        end
        return planned
      end,

      read = function(ctx, state)
        return file_state(state.path or state.id, state.sensitive_content ~= nil)
      end,

      read_all = function(ctx, states)
        local found = {}
        for _, state in ipairs(states) do
          found[state.id] = file_state(state.path or state.id, state.sensitive_content ~= nil)
        end
        return found
      end,

      create = function(ctx, planned) return write_file(planned) end,
      update = function(ctx, prior, planned) return write_file(planned) end,
      delete = function(ctx, prior) fs.remove(prior.path or prior.id) end,

      import = function(ctx, id)
        local state = file_state(id, false)
        if state == nil then
          cairn.fail("there is no file '" .. id .. "' in the output folder",
                     { hint = "the id of a local.file is its path relative to output_dir" })
        end
        return state
      end,
    },

    directory = {
      description = "A folder (created with its parents); deleted only when empty.",
      schema = {
        path = { type = "string", required = true, force_new = true,
                 description = "Path under output_dir, e.g. \"etc/app\"." },
        mode = { type = "string", default = "0755", description = "Permissions, e.g. \"0750\"." },
      },

      read = function(ctx, state) return directory_state(state.path or state.id) end,

      create = function(ctx, planned)
        check_mode(planned.mode, "\"0755\"")
        fs.mkdir(planned.path, planned.mode)
        fs.chmod(planned.path, planned.mode)  -- the folder may have existed with other permissions
        return directory_state(planned.path)
      end,

      update = function(ctx, prior, planned)
        check_mode(planned.mode, "\"0755\"")
        fs.chmod(planned.path, planned.mode)
        return directory_state(planned.path)
      end,

      delete = function(ctx, prior)
        local entries = fs.list(prior.path)
        if entries ~= nil and #entries > 0 then
          cairn.fail("folder '" .. prior.path .. "' is not empty (" .. #entries .. " entries)", {
            hint = "remove the files in it from the blueprint too, or move them away by hand",
          })
        end
        fs.remove(prior.path)
      end,

      import = function(ctx, id)
        local state = directory_state(id)
        if state == nil then
          cairn.fail("there is no folder '" .. id .. "' in the output folder",
                     { hint = "the id of a local.directory is its path relative to output_dir" })
        end
        return state
      end,
    },
  },
}
