-- Turns API server answers that are not successes into cairn.fail errors that name the object,
-- the field (as a blueprint path below "manifest") and the server's message.
local json = require("host.json")
local paths = require("lib.kube.paths")

local M = {}

-- The Status body of a response, or nil when the body is not one.
function M.status_of(resp)
  if resp == nil or type(resp.body) ~= "string" or resp.body == "" then return nil end
  local ok, doc = pcall(json.decode, resp.body)
  if ok and type(doc) == "table" and doc.kind == "Status" then return doc end
  return nil
end

local function retry_after(resp, status)
  local header = resp.headers and resp.headers["retry-after"]
  local n = tonumber(header)
  if n == nil and status and status.details then n = tonumber(status.details.retryAfterSeconds) end
  return n
end

local function causes_of(status)
  local details = status and status.details
  if type(details) ~= "table" or type(details.causes) ~= "table" then return {} end
  return details.causes
end

-- Describes a failed response. `what` names the object ("Deployment web/frontend"); `prefix` is
-- the blueprint path of the manifest ("manifest"). Returns message, options for cairn.fail.
function M.describe(resp, what, prefix)
  prefix = prefix or "manifest"
  local code = resp.status
  local st = M.status_of(resp)
  local reason = st and st.reason or ""
  local msg = st and st.message or (resp.body or "")
  if #msg > 500 then msg = msg:sub(1, 500) .. "..." end
  local causes = causes_of(st)
  local opts = {}

  if code == 429 or code > 500 then
    opts.retryable = true
    opts.retry_after = retry_after(resp, st)
    opts.hint = "the API server is busy or unavailable; running the command again should get further"
    return what .. ": the API server answered " .. code .. " " .. reason .. ": " .. msg, opts
  end

  if code == 500 then
    -- A real API server answers 500 to apply bodies it cannot type-check against the schema,
    -- naming the field: ".spec.replicaz: field not declared in schema".
    local field = msg:match("(%.[%w%.%[%]%-_/]+): field not declared in schema")
    if field then
      opts.path = paths.field_to_path(field, prefix)
      opts.hint = "the field is not part of " .. what:match("^(%S+)") .. "'s schema; check its spelling"
      return what .. ": " .. field:sub(2) .. " is not a known field (" .. msg .. ")", opts
    end
    opts.retryable = true
    opts.retry_after = retry_after(resp, st)
    return what .. ": the API server failed (500): " .. msg, opts
  end

  if code == 409 and reason == "Conflict" then
    local fields = {}
    for _, c in ipairs(causes) do
      if c.reason == "FieldManagerConflict" then
        fields[#fields + 1] = tostring(c.field):gsub("^%.", "") .. " (" .. tostring(c.message) .. ")"
        if opts.path == nil then opts.path = paths.field_to_path(c.field, prefix) end
      end
    end
    if #fields > 0 then
      opts.hint = "set force: true to take ownership of these fields from the other manager"
      return what .. ": fields managed by another client: " .. table.concat(fields, ", "), opts
    end
    opts.retryable = true
    return what .. ": conflict: " .. msg, opts
  end

  if code == 409 and reason == "AlreadyExists" then
    opts.hint = "the object exists but is not managed by cairn; import it or pick another name"
    return what .. " already exists: " .. msg, opts
  end

  if code == 422 or reason == "Invalid" then
    local parts = {}
    for _, c in ipairs(causes) do
      parts[#parts + 1] = c.message and tostring(c.message) or tostring(c.reason)
      if opts.path == nil and c.field and c.field ~= "" then
        opts.path = paths.field_to_path(c.field, prefix)
      end
    end
    local first = causes[1]
    if first and first.field == "fieldManager" then opts.path = nil end
    if #parts > 0 then
      local head = first.field and first.field ~= "" and (tostring(first.field) .. ": ") or ""
      return what .. " is invalid: " .. head .. parts[1] ..
             (#parts > 1 and (" (and " .. (#parts - 1) .. " more: " ..
              table.concat(parts, "; ", 2) .. ")") or ""), opts
    end
    return what .. " is invalid: " .. msg, opts
  end

  if code == 404 then
    local details = st and st.details
    if details == nil or details.name == nil or details.name == "" then
      opts.hint = "the API server does not serve this kind; is its CRD installed and Established?"
      return what .. ": the kind is not served by the API server (" .. msg .. ")", opts
    end
    return what .. " not found: " .. msg, opts
  end

  if code == 401 then
    opts.hint = "check the token or client certificate in the kubeconfig (providers.kubernetes)"
    return what .. ": the API server refused the credentials (401 Unauthorized)", opts
  end
  if code == 403 then
    opts.hint = "the kubeconfig's user lacks the permission; grant it with RBAC"
    return what .. ": forbidden: " .. msg, opts
  end
  if code == 410 then
    opts.retryable = true
    return what .. ": " .. msg, opts
  end
  return what .. ": the API server answered " .. code .. " " .. reason .. ": " .. msg, opts
end

-- Raises the cairn.fail error for a failed response.
function M.fail(resp, what, prefix)
  local msg, opts = M.describe(resp, what, prefix)
  cairn.fail(msg, opts)
end

return M
