-- The `kubernetes` provider: any Kubernetes object (kubernetes.object) applied with server-side
-- apply, refreshed with one LIST per kind and namespace, and the blueprint's `apps:` compiled into
-- namespaces, workloads, services, routes, quotas and secrets (see apps.lua).
local kubeconfig = require("lib.kube.kubeconfig")
local client_lib = require("lib.kube.client")
local discovery = require("lib.kube.discovery")
local ops = require("lib.kube.ops")
local time = require("host.time")
local manifest = require("manifest")
local crd = require("crd")
local apps = require("apps")

-- The client, or a failure that says how to configure one.
local function need_client(ctx)
  local c = ctx.client and ctx.client.api
  if c == nil then
    cairn.fail("no Kubernetes cluster is configured", {
      hint = "set providers.kubernetes.kubeconfig_content (e.g. ${secrets.kubeconfig} with " ..
             "secrets: {kubeconfig: file:~/.kube/config}) or server and token",
    })
  end
  return c
end

-- The resource serving the manifest's kind. A kind that is not served yet (its CRD is being
-- created in the same run) is waited for until `deadline`.
local function resolve(ctx, api, api_version, kind, deadline)
  local res = discovery.resolve(api, api_version, kind)
  local delay = 0.05
  while res == nil and deadline ~= nil and time.now() + delay < deadline do
    time.sleep(delay)
    delay = math.min(delay * 2, 1)
    res = discovery.resolve(api, api_version, kind)
  end
  if res == nil then
    cairn.fail("the API server does not serve " .. kind .. " (" .. api_version .. ")", {
      path = "manifest.kind",
      hint = "install its CustomResourceDefinition first (or depend on the kubernetes.object " ..
             "that declares it), and check apiVersion",
      retryable = deadline ~= nil,
    })
  end
  return res
end

local function wait_deadline(ctx)
  local limit = time.now() + (ctx.config.wait_timeout or 300)
  if ctx.deadline ~= nil and ctx.deadline < limit then limit = ctx.deadline - 1 end
  return limit
end

-- Applies `planned` and returns its state.
local function apply(ctx, planned)
  local api = need_client(ctx)
  local m = manifest.without_planned_label(planned.manifest)
  local deadline = wait_deadline(ctx)
  local res = resolve(ctx, api, m.apiVersion, m.kind, deadline)
  local ns = manifest.namespace_of(m, res, api.namespace)
  local body = manifest.body({ manifest = m, secret_data = planned.secret_data }, ns, ctx.address)
  local live = ops.apply(api, res, body, { force = planned.force })
  if planned.wait then
    local ready, what = ops.readiness(m.kind)
    if ready ~= nil and not ready(live) then
      live = ops.wait(api, res, ns, m.metadata.name, ready, deadline, what)
    end
  end
  return {
    id = manifest.id(m, ns), manifest = m, secret_data = planned.secret_data,
    force = planned.force, wait = planned.wait,
    uid = live.metadata.uid, resource_version = live.metadata.resourceVersion,
  }
end

-- What read_all reads of each listed object before deciding whether to decode it.
local LIST_FIELDS = { "metadata.name", "metadata.resourceVersion", "metadata.uid" }

-- The state of a listed object (an entry of ops.list_index): true (unchanged) when it is still at
-- the recorded resourceVersion, since every write bumps it; otherwise its projection.
local function refreshed(st, entry, api_version, kind)
  local f = entry.fields
  if st.resource_version ~= nil and f["metadata.resourceVersion"] == st.resource_version
      and f["metadata.uid"] == st.uid then
    return true
  end
  local live = client_lib.decode(entry.json)
  -- Items of a list carry no apiVersion and kind (the list does).
  live.apiVersion, live.kind = api_version, kind
  return manifest.state_from_live(st, live, st.id)
end

-- Whether `live`, found by name but not by cairn's label, is the object recorded in `st`. The
-- uid decides: read_all is not told the addresses (ctx.address is ""), so the address annotation
-- cannot be compared here, and an object of that name made since by anyone else (another cairn
-- resource, whose annotation names it, or kubectl) has another uid and is not ours.
local function still_ours(st, live)
  return st.uid == nil or (live.metadata ~= nil and live.metadata.uid == st.uid)
end

-- Refresh: one LIST per kind and namespace selecting cairn's label. A recorded object that no
-- LIST returned (its label removed out of band) is then read by name, one GET for each such
-- object only, so that it shows as drift to undo rather than as deleted. Kinds no longer served
-- (their CRD deleted) take their objects with them.
local function read_all(api, states)
  -- Grouped by the id without its name ("v1/ConfigMap/web"), which is parsed once per group.
  local groups, order = {}, {}
  for _, st in ipairs(states) do
    local prefix, name = tostring(st.id):match("^(.*)/([^/]*)$")
    local g = prefix and groups[prefix]
    if g == nil then
      local api_version, kind, ns
      api_version, kind, ns, name = manifest.parse_id(st.id)
      prefix = prefix or st.id
      g = { api_version = api_version, kind = kind, ns = ns, sts = {}, names = {} }
      groups[prefix] = g
      order[#order + 1] = prefix
    end
    local n = #g.sts + 1
    g.sts[n], g.names[n] = st, name
  end
  local found = {}
  for _, key in ipairs(order) do
    local g = groups[key]
    local res = discovery.resolve(api, g.api_version, g.kind)
    if res ~= nil then
      local by_name = {}
      local ns = g.ns ~= "" and g.ns or nil
      for _, entry in ipairs(ops.list_index(api, res, ns, manifest.SELECTOR, LIST_FIELDS)) do
        local name = entry.fields["metadata.name"]
        if name ~= nil then by_name[name] = entry end
      end
      for i, st in ipairs(g.sts) do
        local name = g.names[i]
        local entry = by_name[name]
        if entry ~= nil then
          found[st.id] = refreshed(st, entry, g.api_version, g.kind)
        else
          local live = ops.get(api, res, g.ns, name)
          if live ~= nil and still_ours(st, live) then
            found[st.id] = manifest.note_label(manifest.state_from_live(st, live, st.id), live)
          end
        end
      end
    end
  end
  return found
end

local object = {
  description = "Any Kubernetes object, applied with server-side apply (field manager \"cairn\").",
  timeout = 900,
  schema = {
    manifest = { type = "map", required = true,
                 description = "The object: apiVersion, kind, metadata (name, namespace), spec..." },
    secret_data = { type = "map", sensitive = true,
                    description = "Secret values, sent as the object's stringData; never shown." },
    force = { type = "bool", default = false,
              description = "Take ownership of fields another field manager owns (force apply)." },
    wait = { type = "bool", default = true,
             description = "Wait until the object is ready (CRD Established, Deployment Available)." },
    uid = { type = "string", computed = true, description = "The object's metadata.uid." },
    resource_version = { type = "string", computed = true,
                         description = "The object's metadata.resourceVersion after the last apply." },
  },

  plan = function(ctx, prior, proposed)
    local m = proposed.manifest
    manifest.check(m)
    local planned = {}
    for k, v in pairs(proposed) do planned[k] = v end
    local api = ctx.client and ctx.client.api
    if not manifest.identity_known(m) then
      planned.id, planned.uid, planned.resource_version = cairn.unknown, cairn.unknown, cairn.unknown
      return planned, prior and { requires_replace = { "manifest" } } or nil
    end
    crd.check(ctx, api, m)
    -- The scope of a kind comes from the built-in table, the CRD, or discovery.
    local res = discovery.builtin_resource(m.apiVersion, m.kind)
    if res == nil then
      local group = m.apiVersion:match("^([^/]+)/")
      local _, def = crd.find_in_blueprint(ctx.blueprint, group, m.kind)
      if def ~= nil then
        res = { namespaced = def.spec.scope ~= "Cluster" }
      elseif api ~= nil then
        res = discovery.resolve(api, m.apiVersion, m.kind)
      end
    end
    local ns = manifest.namespace_of(m, res, api and api.namespace or ctx.config.namespace or "default")
    planned.id = manifest.id(m, ns)
    planned.resource_version = cairn.unknown
    if prior ~= nil and prior.id == planned.id then
      planned.uid = prior.uid
      manifest.plan_label(prior, planned)
      return planned
    end
    planned.uid = cairn.unknown
    if prior ~= nil then return planned, { requires_replace = { "manifest" } } end
    return planned
  end,

  read = function(ctx, state)
    local api = need_client(ctx)
    local api_version, kind, ns, name = manifest.parse_id(state.id)
    local res = discovery.resolve(api, api_version, kind)
    if res == nil then return nil end
    local live = ops.get(api, res, ns, name)
    if live == nil or not still_ours(state, live) then return nil end
    return manifest.note_label(manifest.state_from_live(state, live, state.id), live)
  end,

  -- One LIST per kind and namespace, selecting what cairn manages (see read_all below).
  read_all = function(ctx, states) return read_all(need_client(ctx), states) end,
  -- An id is <apiVersion>/<kind>/<namespace>/<name>: one call per kind and namespace, so that
  -- the LISTs run side by side.
  read_all_by = "id_parent",

  create = function(ctx, planned) return apply(ctx, planned) end,
  update = function(ctx, prior, planned) return apply(ctx, planned) end,

  delete = function(ctx, prior)
    local api = need_client(ctx)
    local api_version, kind, ns, name = manifest.parse_id(prior.id)
    local res = discovery.resolve(api, api_version, kind)
    if res == nil then return end  -- the kind (and so the object) is gone
    local _, pending = ops.delete(api, res, ns, name, "Background")
    if pending then ops.wait_gone(api, res, ns, name, prior.uid, wait_deadline(ctx)) end
  end,

  import = function(ctx, id)
    local api = need_client(ctx)
    local api_version, kind, ns, name = manifest.parse_id(id)
    local res = resolve(ctx, api, api_version, kind, nil)
    local live = ops.get(api, res, ns, name)
    if live == nil then
      cairn.fail("there is no " .. ops.describe(res, ns, name), {
        hint = "the id of a kubernetes.object is <apiVersion>/<kind>/<namespace>/<name>",
      })
    end
    local m = { apiVersion = api_version, kind = kind, metadata = { name = name } }
    if ns ~= "" then m.metadata.namespace = ns end
    return manifest.state_from_live({ manifest = m, force = false, wait = true }, live, id)
  end,
}

return {
  name = "kubernetes",
  version = "1.0.0",
  api = 1,
  description = "Kubernetes objects through the API server, and apps compiled into workloads.",
  config = {
    kubeconfig_content = { type = "string", sensitive = true,
      description = "Text of a kubeconfig file, e.g. ${secrets.kubeconfig} (file:~/.kube/config)." },
    context = { type = "string", description = "Context of the kubeconfig to use (default: current-context)." },
    server = { type = "string", description = "API server URL, instead of (or overriding) the kubeconfig's." },
    token = { type = "string", sensitive = true, description = "Bearer token, overriding the kubeconfig's." },
    ca_data = { type = "string", description = "PEM (or base64 of PEM) of the CA that signed the API server's certificate." },
    namespace = { type = "string", description = "Namespace of objects that name none (default: the context's, else default)." },
    disable_compression = { type = "bool",
      description = "Ask the API server not to gzip responses, as kubectl --disable-compression " ..
                    "(default: the kubeconfig cluster's disable-compression)." },
    wait_timeout = { type = "number", default = 300,
      description = "Seconds an apply waits for readiness (CRD Established, Deployment Available)." },
  },
  configure = function(config)
    -- `cairn validate` runs without secret values: nothing to connect to then.
    for _, k in ipairs({ "kubeconfig_content", "server", "token", "ca_data" }) do
      if cairn.is_unknown(config[k]) then return { api = nil } end
    end
    local conn = kubeconfig.from_config(config)
    if conn == nil then return { api = nil } end
    return { api = client_lib.new(conn) }
  end,
  expand = function(bp) return apps.expand(bp) end,
  resources = { object = object },
}
