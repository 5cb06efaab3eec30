-- Plan-time checks of custom resources against their CustomResourceDefinition: found in the
-- same blueprint (ctx.blueprint) or in the cluster, then validated with host.jsonschema plus the
-- API server's rule that a field the schema does not declare is an error (fieldValidation=Strict).
local jsonschema = require("host.jsonschema")
local json = require("host.json")
local paths = require("lib.kube.paths")
local discovery = require("lib.kube.discovery")

local M = {}

-- Per-VM cache of compiled schemas: key -> { compiled =, schema = }.
local compiled_cache = {}

local function version_schema(crd_manifest, version)
  local spec = crd_manifest.spec or {}
  for _, v in ipairs(spec.versions or {}) do
    if v.name == version then
      return v.schema and v.schema.openAPIV3Schema, v
    end
  end
  return nil
end

-- The CRDs a blueprint declares, "group/Kind" -> { address, manifest }, per blueprint table (a
-- VM keeps the same ctx.blueprint until the blueprint changes), so that a plan of many custom
-- objects scans the resources once, not once per object.
local blueprint_crds = setmetatable({}, { __mode = "k" })

local function crds_of(bp)
  local index = blueprint_crds[bp]
  if index ~= nil then return index end
  index = {}
  for address, decl in pairs(bp.resources or {}) do
    local m = type(decl) == "table" and decl.manifest
    if type(address) == "string" and address:match("^kubernetes%.object%.") and type(m) == "table"
        and m.kind == "CustomResourceDefinition" and type(m.spec) == "table"
        and type(m.spec.group) == "string" and type(m.spec.names) == "table"
        and type(m.spec.names.kind) == "string" then
      local key = m.spec.group .. "/" .. m.spec.names.kind
      if index[key] == nil then index[key] = { address, m } end
    end
  end
  blueprint_crds[bp] = index
  return index
end

-- The CRD declared in the blueprint's `resources:` that defines group/kind: its address and
-- manifest, or nil.
function M.find_in_blueprint(bp, group, kind)
  if type(bp) ~= "table" then return nil end
  local found = crds_of(bp)[tostring(group) .. "/" .. tostring(kind)]
  if found == nil then return nil end
  return found[1], found[2]
end

-- CRDs fetched from a cluster by this VM: server -> apiVersion|kind -> { doc, res }. A CRD
-- changes rarely, and a plan of many objects of one kind should fetch it once.
local cluster_crds = {}

-- The CRD in the cluster for a served kind, or nil.
function M.find_in_cluster(client, api_version, kind)
  local per_server = cluster_crds[client.server]
  if per_server == nil then
    per_server = {}
    cluster_crds[client.server] = per_server
  end
  local key = api_version .. "|" .. kind
  local hit = per_server[key]
  if hit ~= nil then return hit[1], hit[2] end
  local res = discovery.resolve(client, api_version, kind)
  if res == nil then return nil end
  local group = paths.split_api_version(api_version)
  local crd_res = discovery.builtin_resource("apiextensions.k8s.io/v1", "CustomResourceDefinition")
  local resp = client:request("GET", paths.object(crd_res, nil, res.plural .. "." .. group))
  if resp.status ~= 200 or resp.doc == nil then return nil end
  per_server[key] = { resp.doc, res }
  return resp.doc, res
end

local function did_you_mean(key, props)
  local best, best_d
  for name in pairs(props) do
    -- A cheap similarity: common prefix length and length difference.
    local n = 0
    while n < #key and n < #name and key:sub(n + 1, n + 1) == name:sub(n + 1, n + 1) do n = n + 1 end
    local d = math.abs(#key - #name) + (math.max(#key, #name) - n)
    if d <= math.max(2, #key // 2) and (best_d == nil or d < best_d) then best, best_d = name, d end
  end
  return best
end

-- Appends { path =, message =, hint = } for every field of `value` that `schema` does not declare.
local function unknown_fields(value, schema, path, out, root)
  if type(value) ~= "table" or cairn.is_unknown(value) or type(schema) ~= "table" then return end
  if schema["x-kubernetes-preserve-unknown-fields"] == true then return end
  if #value > 0 then
    if type(schema.items) == "table" then
      for i, item in ipairs(value) do
        unknown_fields(item, schema.items, path .. "[" .. (i - 1) .. "]", out, false)
      end
    end
    return
  end
  local props = schema.properties
  if type(props) == "table" and next(props) ~= nil then
    local embedded = schema["x-kubernetes-embedded-resource"] == true
    for k, v in pairs(value) do
      local sub = props[k]
      local p = path == "" and k or (path .. "." .. k)
      if sub ~= nil then
        if not (root and k == "metadata") then unknown_fields(v, sub, p, out, false) end
      elseif not ((root or embedded) and (k == "apiVersion" or k == "kind" or k == "metadata"))
          and schema.additionalProperties == nil then
        local guess = did_you_mean(k, props)
        out[#out + 1] = {
          path = p, message = "unknown field \"" .. k .. "\"",
          hint = guess and ("did you mean '" .. guess .. "'?") or nil,
        }
      end
    end
  elseif type(schema.additionalProperties) == "table" then
    for k, v in pairs(value) do
      unknown_fields(v, schema.additionalProperties, path == "" and k or (path .. "." .. k), out, false)
    end
  end
end

-- A copy of `value` whose empty tables are marked as arrays where the schema wants an array
-- (the blueprint's `[]` reaches Lua as an empty table, which would otherwise be an object).
local function mark_arrays(value, schema)
  if type(value) ~= "table" or cairn.is_unknown(value) or type(schema) ~= "table" then return value end
  if schema.type == "array" then
    local out = {}
    for i, item in ipairs(value) do out[i] = mark_arrays(item, schema.items) end
    return json.array(out)
  end
  local out = {}
  for k, v in pairs(value) do
    local sub = type(schema.properties) == "table" and schema.properties[k] or nil
    if sub == nil and type(schema.additionalProperties) == "table" then sub = schema.additionalProperties end
    out[k] = mark_arrays(v, sub)
  end
  return out
end
M.mark_arrays = mark_arrays

-- Problems of `manifest` against `schema` (openAPIV3Schema), unknown fields first.
function M.problems(manifest, schema, cache_key)
  manifest = mark_arrays(manifest, schema)
  local out = {}
  unknown_fields(manifest, schema, "", out, true)
  local entry = cache_key and compiled_cache[cache_key]
  if entry == nil or entry.schema ~= schema then
    entry = { compiled = jsonschema.compile(schema), schema = schema }
    if cache_key then compiled_cache[cache_key] = entry end
  end
  for _, p in ipairs(entry.compiled:validate(manifest)) do
    if not (p.path == "metadata" or p.path:match("^metadata%.")) then out[#out + 1] = p end
  end
  return out
end

-- Fails the plan when `manifest` (a custom resource) breaks its CRD's schema, or when its CRD is
-- declared in the same blueprint but the resource does not depend on it.
function M.check(ctx, client, manifest)
  local api_version, kind = manifest.apiVersion, manifest.kind
  if discovery.builtin_resource(api_version, kind) then return end
  local group, version = paths.split_api_version(api_version)
  if group == "" then return end
  local schema, key
  local crd_address, crd = M.find_in_blueprint(ctx.blueprint, group, kind)
  if crd_address ~= nil then
    local decl = ctx.blueprint.resources[ctx.address]
    if decl ~= nil and ctx.address ~= crd_address then
      local deps = {}
      for _, d in ipairs(type(decl.depends_on) == "table" and decl.depends_on or {}) do deps[d] = true end
      if not deps[crd_address] then
        cairn.fail(kind .. " is defined by the CustomResourceDefinition " .. crd_address ..
                   ", which must be applied first", {
          hint = "add depends_on: [" .. crd_address .. "] to " .. ctx.address,
        })
      end
    end
    schema = version_schema(crd, version)
    if schema == nil then
      cairn.fail(crd_address .. " does not serve version " .. version .. " of " .. kind, {
        path = "manifest.apiVersion", hint = "use one of the versions in the CRD's spec.versions",
      })
    end
    key = "bp:" .. crd_address .. ":" .. version
  elseif client ~= nil then
    local live = M.find_in_cluster(client, api_version, kind)
    if live == nil then return end
    schema = version_schema(live, version)
    key = "live:" .. client.server .. ":" .. group .. ":" .. kind .. ":" .. version .. ":" ..
          tostring(live.metadata and live.metadata.resourceVersion)
  end
  if schema == nil then return end
  local problems = M.problems(manifest, schema, key)
  if #problems == 0 then return end
  local first = problems[1]
  local text = first.message
  if #problems > 1 then
    local rest = {}
    for i = 2, math.min(#problems, 6) do rest[#rest + 1] = problems[i].path .. ": " .. problems[i].message end
    text = text .. " (and " .. (#problems - 1) .. " more: " .. table.concat(rest, "; ") .. ")"
  end
  cairn.fail(kind .. " " .. tostring(manifest.metadata.name) .. ": " .. first.path .. ": " .. text, {
    path = "manifest" .. (first.path ~= "" and ("." .. first.path) or ""),
    hint = first.hint or ("see the schema of " .. kind .. " in its CustomResourceDefinition"),
  })
end

return M
