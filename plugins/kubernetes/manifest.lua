-- What the provider does to manifests: identity and ids, the labels cairn adds, and the
-- projection of a live object onto the fields cairn sets (so drift ignores server-added fields).
local json = require("host.json")
local base64 = require("host.base64")
local paths = require("lib.kube.paths")

local M = {}

M.MANAGED_BY = "app.kubernetes.io/managed-by"
M.ADDRESS = "cairn.io/address"
M.SELECTOR = M.MANAGED_BY .. "=cairn"
-- Stands for cairn's label missing from an object, in a refreshed state (a label value cannot
-- hold parentheses, so no real value reads the same).
M.LABEL_ABSENT = "(absent)"

-- The metatable that marks a table as a list (the host marks every list it passes in, and
-- json.decode every array), so that an empty list stays [] rather than becoming {}.
local ARRAY = getmetatable(json.array({}))

local function is_list(t)
  return #t > 0 or getmetatable(t) == ARRAY
end

function M.copy(v)
  if type(v) ~= "table" or cairn.is_unknown(v) then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = M.copy(x) end
  return setmetatable(out, getmetatable(v))
end

-- Checks the parts of a manifest every object needs; fails at the attribute's position.
function M.check(manifest)
  local function need(value, path, what)
    if value == nil or value == "" then
      cairn.fail("the manifest has no " .. path:gsub("^manifest%.", ""), {
        path = path:match("^(.*)%.[^.]+$") or "manifest", hint = "every object needs " .. what,
      })
    end
  end
  need(manifest.apiVersion, "manifest.apiVersion", "apiVersion, e.g. v1 or apps/v1")
  need(manifest.kind, "manifest.kind", "kind, e.g. ConfigMap")
  if type(manifest.metadata) ~= "table" then
    cairn.fail("the manifest has no metadata", {
      path = "manifest", hint = "add metadata: {name: ...}",
    })
  end
  need(manifest.metadata.name, "manifest.metadata.name", "metadata.name")
  if type(manifest.apiVersion) == "string" and not cairn.is_unknown(manifest.apiVersion)
      and not manifest.apiVersion:match("^[%w%.%-]+/[%w]+$")
      and not manifest.apiVersion:match("^v[%w]+$") then
    cairn.fail("apiVersion '" .. manifest.apiVersion .. "' is not <group>/<version> or v1", {
      path = "manifest.apiVersion", hint = "e.g. apps/v1, networking.k8s.io/v1, v1",
    })
  end
end

-- True when every identity field is known (not waiting for another resource).
function M.identity_known(manifest)
  local md = manifest.metadata or {}
  return not (cairn.is_unknown(manifest.apiVersion) or cairn.is_unknown(manifest.kind)
              or cairn.is_unknown(md.name) or cairn.is_unknown(md.namespace))
end

-- The namespace an object lives in: its own, else the default for namespaced kinds.
function M.namespace_of(manifest, res, default_ns)
  if res ~= nil and not res.namespaced then return "" end
  local ns = manifest.metadata and manifest.metadata.namespace
  if ns ~= nil and ns ~= "" then return ns end
  if res == nil then return "" end
  return default_ns or "default"
end

function M.id(manifest, ns)
  return paths.id(manifest.apiVersion, manifest.kind, ns, manifest.metadata.name)
end

-- "apps/v1/Deployment/web/frontend" -> "apps/v1", "Deployment", "web", "frontend".
function M.parse_id(id)
  local parts = {}
  for p in (tostring(id) .. "/"):gmatch("([^/]*)/") do parts[#parts + 1] = p end
  if #parts == 5 then
    return parts[1] .. "/" .. parts[2], parts[3], parts[4], parts[5]
  elseif #parts == 4 then
    return parts[1], parts[2], parts[3], parts[4]
  end
  cairn.fail("'" .. tostring(id) .. "' is not an object id", {
    hint = "write <apiVersion>/<kind>/<namespace>/<name>, e.g. apps/v1/Deployment/web/frontend " ..
           "or v1/Namespace//web (no namespace for cluster-wide kinds)",
  })
end

-- The object sent to the server: the manifest, its namespace filled in, cairn's label and
-- address annotation, and secret_data as stringData.
-- Only what it changes is copied (the object, metadata, labels, annotations, stringData); the
-- rest (data, spec) is shared with planned.manifest, which it leaves as it was.
local function shallow(t)
  local out = {}
  if t ~= nil then
    for k, v in pairs(t) do out[k] = v end
  end
  return out
end

function M.body(planned, ns, address)
  local obj = shallow(planned.manifest)
  local md = shallow(obj.metadata)
  obj.metadata = md
  if ns ~= "" then md.namespace = ns end
  md.labels = shallow(md.labels)
  md.labels[M.MANAGED_BY] = "cairn"
  md.annotations = shallow(md.annotations)
  md.annotations[M.ADDRESS] = address
  if planned.secret_data ~= nil and next(planned.secret_data) ~= nil then
    obj.stringData = shallow(obj.stringData)
    for k, v in pairs(planned.secret_data) do obj.stringData[k] = tostring(v) end
  end
  md.managedFields = nil
  return obj
end

-- Records in `state` (refreshed from `live`) that live lacks cairn's label, which the blueprint's
-- form of the manifest leaves out: the state then differs from the blueprint, so the plan shows
-- an update that sets the label again (see M.plan_label).
function M.note_label(state, live)
  local labels = live.metadata and live.metadata.labels
  local value = type(labels) == "table" and labels[M.MANAGED_BY] or nil
  if value == "cairn" then return state end
  local md = state.manifest.metadata
  if md == nil then
    md = {}
    state.manifest.metadata = md
  end
  md.labels = md.labels or {}
  md.labels[M.MANAGED_BY] = type(value) == "string" and value or M.LABEL_ABSENT
  return state
end

-- In a plan from a state that recorded cairn's label as something else (M.note_label), the label
-- the apply sets, known after apply: the state that apply records keeps the blueprint's form
-- (M.without_planned_label).
function M.plan_label(prior, planned)
  local pmd = prior and prior.manifest and prior.manifest.metadata
  if type(pmd) ~= "table" or type(pmd.labels) ~= "table" or pmd.labels[M.MANAGED_BY] == nil then
    return
  end
  local md = planned.manifest and planned.manifest.metadata
  if type(md) ~= "table" or cairn.is_unknown(md.labels) then return end
  if md.labels == nil then
    planned.manifest = M.copy(planned.manifest)
    planned.manifest.metadata.labels = cairn.unknown
  elseif type(md.labels) == "table" and md.labels[M.MANAGED_BY] == nil then
    planned.manifest = M.copy(planned.manifest)
    planned.manifest.metadata.labels[M.MANAGED_BY] = cairn.unknown
  end
end

-- The manifest without what M.plan_label added.
function M.without_planned_label(m)
  local md = m.metadata
  if type(md) ~= "table" then return m end
  if cairn.is_unknown(md.labels) then
    m = M.copy(m)
    m.metadata.labels = nil
  elseif type(md.labels) == "table" and cairn.is_unknown(md.labels[M.MANAGED_BY]) then
    m = M.copy(m)
    m.metadata.labels[M.MANAGED_BY] = nil
  end
  return m
end

local function same_scalar(a, b)
  if a == b then return true end
  if (type(a) == "number" or type(a) == "string") and (type(b) == "number" or type(b) == "string") then
    return tostring(a) == tostring(b)
  end
  return false
end

-- The part of `live` that `want` sets: maps keep want's keys, lists are compared whole (by
-- position when the lengths match), scalars that print the same count as equal (the server
-- writes the quantity 1 as "1"). A field the server dropped is left out, so it shows as drift.
function M.project(want, live)
  if live == nil or live == json.null then
    -- The API server omits empty lists and maps (omitempty): an empty one is not drift.
    if type(want) == "table" and next(want) == nil and not cairn.is_unknown(want) then return want end
    return nil
  end
  if type(want) ~= "table" or cairn.is_unknown(want) then
    if same_scalar(want, live) then return want end
    if type(live) == "table" then return M.clean(live) end
    return live
  end
  if type(live) ~= "table" then return live end
  if is_list(want) or is_list(live) then
    if #want ~= #live or is_list(want) ~= is_list(live) then return M.clean(live) end
    local out = {}
    for i = 1, #want do out[i] = M.project(want[i], live[i]) end
    return json.array(out)
  end
  local out = {}
  for k, v in pairs(want) do
    local p = M.project(v, live[k])
    if p ~= nil then out[k] = p end
  end
  return out
end

-- Drops json.null so that the host can take the value; lists stay marked as lists.
function M.clean(v)
  if v == json.null then return nil end
  if type(v) ~= "table" then return v end
  local out = {}
  for k, x in pairs(v) do out[k] = M.clean(x) end
  if getmetatable(v) == ARRAY then return json.array(out) end
  return out
end

-- The state of an object as it is now, in the form the blueprint wrote it.
function M.state_from_live(prior, live, id)
  local manifest = M.project(prior.manifest, live) or {}
  if prior.manifest.stringData ~= nil and live.data ~= nil then
    manifest.stringData = {}
    for k in pairs(prior.manifest.stringData) do
      if live.data[k] ~= nil then manifest.stringData[k] = base64.decode(live.data[k]) end
    end
  end
  local state = {
    id = id, manifest = manifest, force = prior.force, wait = prior.wait,
    uid = live.metadata.uid, resource_version = live.metadata.resourceVersion,
  }
  if prior.secret_data ~= nil then
    state.secret_data = {}
    local data = live.data or {}
    for k in pairs(prior.secret_data) do
      if data[k] ~= nil and data[k] ~= json.null then
        state.secret_data[k] = base64.decode(data[k])
      end
    end
  end
  return state
end

return M
