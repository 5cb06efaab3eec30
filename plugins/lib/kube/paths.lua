-- REST paths, query strings and label selectors of the Kubernetes API (pure functions).
local M = {}

-- Percent-encodes everything but RFC 3986's unreserved characters.
function M.escape(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- "?a=1&b=x%2Cy" from { a = 1, b = "x,y" } (keys sorted; nil and false values left out).
function M.query(params)
  local keys = {}
  for k, v in pairs(params or {}) do
    if v ~= nil and v ~= false then keys[#keys + 1] = k end
  end
  if #keys == 0 then return "" end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do
    local v = params[k]
    if v == true then v = "true" end
    parts[i] = M.escape(k) .. "=" .. M.escape(v)
  end
  return "?" .. table.concat(parts, "&")
end

-- "apps/v1" -> "apps", "v1"; "v1" -> "", "v1".
function M.split_api_version(api_version)
  local group, version = tostring(api_version):match("^([^/]+)/([^/]+)$")
  if group then return group, version end
  return "", api_version
end

-- "/api/v1" for the core group, "/apis/<group>/<version>" for the others.
function M.group_version_path(api_version)
  local group, version = M.split_api_version(api_version)
  if group == "" then return "/api/" .. version end
  return "/apis/" .. group .. "/" .. version
end

-- The collection path of a resource type: res = { api_version =, plural =, namespaced = }.
-- A namespaced type without a namespace gives the all-namespaces collection.
function M.collection(res, namespace)
  local base = M.group_version_path(res.api_version)
  if res.namespaced and namespace ~= nil and namespace ~= "" then
    return base .. "/namespaces/" .. M.escape(namespace) .. "/" .. res.plural
  end
  return base .. "/" .. res.plural
end

function M.object(res, namespace, name)
  return M.collection(res, namespace) .. "/" .. M.escape(name)
end

local function quote_value(v)
  v = tostring(v)
  if not v:match("^[%w%-%._]*$") then
    error("label value '" .. v .. "' has characters a label cannot have", 3)
  end
  return v
end

-- A label selector from a table: { app = "web", tier = { "!=", "db" }, env = { "in", {"a","b"} },
-- legacy = { "!" }, ready = { "exists" } }. Terms are sorted by key so the text is stable.
function M.selector(terms)
  local keys = {}
  for k in pairs(terms or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local t = terms[k]
    if type(t) ~= "table" then
      out[#out + 1] = k .. "=" .. quote_value(t)
    elseif t[1] == "=" or t[1] == "==" or t[1] == "!=" then
      out[#out + 1] = k .. t[1] .. quote_value(t[2])
    elseif t[1] == "in" or t[1] == "notin" then
      local vals = {}
      for i, v in ipairs(t[2]) do vals[i] = quote_value(v) end
      table.sort(vals)
      out[#out + 1] = k .. " " .. t[1] .. " (" .. table.concat(vals, ",") .. ")"
    elseif t[1] == "exists" then
      out[#out + 1] = k
    elseif t[1] == "!" then
      out[#out + 1] = "!" .. k
    else
      error("unknown selector operator '" .. tostring(t[1]) .. "' for key " .. k, 2)
    end
  end
  return table.concat(out, ",")
end

-- "apps/v1/Deployment/web/frontend": the id of an object (namespace "" when cluster-scoped).
function M.id(api_version, kind, namespace, name)
  return api_version .. "/" .. kind .. "/" .. (namespace or "") .. "/" .. name
end

-- A field path as the API reports it (".spec.replicas", "spec.containers[0].image",
-- "metadata.labels[app]") as a blueprint path below `prefix` ("manifest.spec.replicas").
function M.field_to_path(field, prefix)
  if field == nil or field == "" then return prefix end
  field = tostring(field):gsub("^%.", "")
  -- Map keys in brackets ("labels[app.kubernetes.io/name]") become quoted keys, like the
  -- blueprint's own paths; list indexes stay as they are.
  field = field:gsub("%[([^%]]+)%]", function(key)
    if key:match("^%d+$") then return "[" .. key .. "]" end
    if key:match("^[%a_][%w_%-]*$") then return "." .. key end
    return "[\"" .. key .. "\"]"
  end)
  if prefix == nil or prefix == "" then return field end
  return prefix .. "." .. field
end

return M
