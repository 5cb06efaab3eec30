-- The operations a provider needs: server-side apply, get, list (paged), delete, and waiting
-- for a condition with a deadline. `res` is a resource from lib.kube.discovery.
local errors = require("lib.kube.errors")
local json = require("host.json")
local paths = require("lib.kube.paths")
local time = require("host.time")

local M = {}

local function describe(res, namespace, name)
  if res.namespaced and namespace and namespace ~= "" then
    return res.kind .. " " .. namespace .. "/" .. name
  end
  return res.kind .. " " .. name
end
M.describe = describe

-- Server-side apply of `object` (a table with apiVersion, kind, metadata.name). Creates the
-- object when it does not exist. Returns the object as stored and the HTTP status (201 created).
function M.apply(client, res, object, opts)
  opts = opts or {}
  local md = object.metadata
  local ns = res.namespaced and md.namespace or nil
  local resp = client:request("PATCH", paths.object(res, ns, md.name), {
    fieldManager = opts.field_manager or "cairn", force = opts.force and true or nil,
    fieldValidation = opts.field_validation,
  }, object, "application/apply-patch+yaml")
  if resp.status >= 300 then errors.fail(resp, describe(res, ns, md.name), opts.prefix) end
  return resp.doc, resp.status
end

-- The object, or nil when it does not exist.
function M.get(client, res, namespace, name, prefix)
  local ns = res.namespaced and namespace or nil
  local resp = client:request("GET", paths.object(res, ns, name))
  if resp.status == 404 then return nil end
  if resp.status >= 300 then errors.fail(resp, describe(res, ns, name), prefix) end
  return resp.doc
end

-- Every object of a type in a namespace (all namespaces when nil) matching `selector` (text),
-- following continue tokens page by page. Returns the list of items.
function M.list(client, res, namespace, selector, limit)
  local items = {}
  local token
  local path = paths.collection(res, res.namespaced and namespace or nil)
  repeat
    local resp = client:request("GET", path, {
      labelSelector = selector ~= "" and selector or nil, limit = limit or 500, continue = token,
    })
    if resp.status >= 300 then
      errors.fail(resp, "listing " .. res.plural .. (namespace and (" in " .. namespace) or ""))
    end
    for _, item in ipairs(resp.doc.items or {}) do items[#items + 1] = item end
    token = resp.doc.metadata and resp.doc.metadata["continue"]
  until token == nil or token == ""
  return items
end

-- Like M.list, without decoding the items: returns one entry per object, { json = its JSON text,
-- fields = { [path] = value } } with the dotted `fields` paths read from it (host.json's
-- decode_list), so that a caller decodes only the objects it needs whole.
function M.list_index(client, res, namespace, selector, fields, limit)
  local entries = {}
  local token
  local path = paths.collection(res, res.namespaced and namespace or nil)
  local what = "listing " .. res.plural .. (namespace and (" in " .. namespace) or "")
  repeat
    local resp = client:send("GET", path, {
      labelSelector = selector ~= "" and selector or nil, limit = limit or 500, continue = token,
    })
    if resp.status >= 300 then errors.fail(resp, what) end
    local ok, doc, items = pcall(json.decode_list, resp.body, { fields = fields })
    if not ok then
      cairn.fail(what .. ": the API server's answer is not a JSON list: " .. tostring(doc), {
        hint = "is providers.kubernetes pointing at a Kubernetes API server?",
      })
    end
    for _, e in ipairs(items) do entries[#entries + 1] = e end
    token = doc.metadata and doc.metadata["continue"]
  until token == nil or token == ""
  return entries
end

-- Deletes the object; gone already is success. Returns true when a delete was sent and accepted,
-- and whether the object may still exist: the server answers a Status when it removed the object
-- at once, and the object (with deletionTimestamp) when finalizers or cascading hold it.
function M.delete(client, res, namespace, name, policy)
  local ns = res.namespaced and namespace or nil
  local resp = client:request("DELETE", paths.object(res, ns, name), {
    propagationPolicy = policy or "Background",
  })
  if resp.status == 404 then return false, false end
  if resp.status >= 300 then errors.fail(resp, describe(res, ns, name)) end
  local removed = resp.status == 200 and resp.doc ~= nil and resp.doc.kind == "Status"
  return true, not removed
end

-- Polls until the object is gone (or replaced by a new object with another uid than `uid`), so
-- that what depends on its absence (a delete of its namespace, a create of the same name) runs
-- after it. Fails, retryable, when `deadline` passes first, naming the finalizers that hold it.
function M.wait_gone(client, res, namespace, name, uid, deadline)
  local delay = 0.02
  while true do
    local obj = M.get(client, res, namespace, name)
    if obj == nil or (uid ~= nil and obj.metadata and obj.metadata.uid ~= uid) then return end
    if time.now() + delay >= deadline then
      local finalizers = obj.metadata and obj.metadata.finalizers
      local held = ""
      if type(finalizers) == "table" and #finalizers > 0 then
        held = " (finalizers: " .. table.concat(finalizers, ", ") .. ")"
      end
      cairn.fail(describe(res, namespace, name) .. " is still being deleted" .. held, {
        hint = "whatever owns its finalizers has to finish; cairn apply waits again when run again",
        retryable = true,
      })
    end
    time.sleep(delay)
    delay = math.min(delay * 2, 1)
  end
end

-- True when `object` has a condition of `type` with status "True".
function M.has_condition(object, type_)
  local conds = object and object.status and object.status.conditions
  for _, c in ipairs(conds or {}) do
    if c.type == type_ and c.status == "True" then return true end
  end
  return false
end

-- Polls the object until `ready(object)` is true or `deadline` (seconds since the epoch) passes;
-- then fails, retryable, with `waiting_for` in the message. Returns the ready object.
function M.wait(client, res, namespace, name, ready, deadline, waiting_for)
  local delay = 0.05
  while true do
    local obj = M.get(client, res, namespace, name)
    if obj ~= nil and ready(obj) then return obj end
    if time.now() + delay >= deadline then
      cairn.fail(describe(res, namespace, name) .. " did not become " .. waiting_for ..
                 " in time", {
        hint = "check it with kubectl describe; cairn apply picks up from here when run again",
        retryable = true,
      })
    end
    time.sleep(delay)
    delay = math.min(delay * 2, 2)
  end
end

-- What readiness means for a kind, or nil when there is nothing to wait for.
function M.readiness(kind)
  if kind == "CustomResourceDefinition" then
    return function(o) return M.has_condition(o, "Established") end, "Established"
  elseif kind == "Deployment" then
    return function(o) return M.has_condition(o, "Available") end, "Available"
  elseif kind == "StatefulSet" then
    return function(o)
      local want = (o.spec and o.spec.replicas) or 1
      local st = o.status or {}
      return (st.readyReplicas or 0) >= want or M.has_condition(o, "Available")
    end, "ready"
  elseif kind == "Node" then
    return function(o) return M.has_condition(o, "Ready") end, "Ready"
  end
  return nil
end

return M
