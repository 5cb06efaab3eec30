-- The blueprint's `apps:` compiled into kubernetes.object resources. Per app: a Namespace of its
-- own (labelled for default-deny isolation: the network policy provider reads the labels and
-- annotations set here), a Deployment (a StatefulSet with volumeClaimTemplates when it has
-- volumes; a KubeVirt VirtualMachine with PVCs for runtime vm), a Service for its ports, an
-- Ingress per exposure mode, a ResourceQuota, and Secrets filled from `secrets:` references.
local workloads = require("workloads")

local M = {}

local function add(out, name, manifest, deps, extra)
  local attrs = { manifest = manifest }
  for k, v in pairs(extra or {}) do attrs[k] = v end
  out[#out + 1] = { type = "object", name = name, attributes = attrs, depends_on = deps }
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

-- The resources of one app; `bp` supplies defaults (network.ingress.mode, egress mode).
function M.app(bp, app)
  local out = {}
  local name = app.name
  local ns = "app-" .. name
  local ns_addr = "kubernetes.object." .. name .. "-namespace"
  local network = bp.network or {}
  local egress = app.egress or (network.egress and network.egress.mode) or "local"

  local ns_labels = {
    ["cairn.io/app"] = name,
    ["cairn.io/isolation"] = "default-deny",
    ["cairn.io/egress"] = egress,
  }
  local ns_annotations = {}
  if app.allow ~= nil and #app.allow > 0 then
    ns_annotations["cairn.io/allow"] = table.concat(app.allow, ",")
  end
  add(out, name .. "-namespace", {
    apiVersion = "v1", kind = "Namespace",
    metadata = { name = ns, labels = ns_labels,
                 annotations = next(ns_annotations) and ns_annotations or nil },
  })
  local deps = { ns_addr }

  add(out, name .. "-quota", workloads.quota(app, ns), deps)

  -- Secrets: env values from {secret: x}, and files under /run/secrets.
  local env_secret, file_secret = {}, {}
  for _, var in ipairs(sorted_keys(app.env)) do
    local v = app.env[var]
    if type(v) == "table" and v.secret ~= nil then env_secret[var] = "${secrets." .. v.secret .. "}" end
  end
  for _, s in ipairs(app.secrets or {}) do file_secret[s] = "${secrets." .. s .. "}" end
  local workload_deps = { ns_addr }
  local secret_names = {}
  -- One Secret per use (env, files); the workload waits for each.
  local function add_secret(use, data)
    if not next(data) then return end
    local secret = name .. "-" .. use
    secret_names[use] = secret
    add(out, secret, {
      apiVersion = "v1", kind = "Secret", type = "Opaque",
      metadata = { name = secret, namespace = ns },
    }, deps, { secret_data = data })
    workload_deps[#workload_deps + 1] = "kubernetes.object." .. secret
  end
  add_secret("env", env_secret)
  add_secret("files", file_secret)

  if app.runtime == "vm" then
    for _, vol in ipairs(app.volumes or {}) do
      add(out, name .. "-pvc-" .. vol.name, workloads.pvc(vol, name, ns), deps)
      workload_deps[#workload_deps + 1] = "kubernetes.object." .. name .. "-pvc-" .. vol.name
    end
    add(out, name .. "-vm", workloads.virtual_machine(app, ns), workload_deps)
  else
    add(out, name .. "-workload", workloads.pod_controller(app, ns, secret_names), workload_deps)
  end

  if app.ports ~= nil and #app.ports > 0 then
    add(out, name .. "-service", workloads.service(app, ns), deps)
  end

  -- One Ingress per exposure mode: the mode picks the ingress class, so that the public, local,
  -- vpn and tor routes can be served by different controllers.
  local by_mode, modes = {}, {}
  local default_mode = (network.ingress and network.ingress.mode) or "local"
  for _, e in ipairs(app.expose or {}) do
    local mode = e.mode or default_mode
    if by_mode[mode] == nil then
      by_mode[mode] = {}
      modes[#modes + 1] = mode
    end
    table.insert(by_mode[mode], e)
  end
  table.sort(modes)
  for _, mode in ipairs(modes) do
    local svc = "kubernetes.object." .. name .. "-service"
    add(out, name .. "-route-" .. mode, workloads.ingress(app, ns, mode, by_mode[mode]),
        app.ports and #app.ports > 0 and { ns_addr, svc } or deps)
  end
  return out
end

function M.expand(bp)
  local out = {}
  for _, app in ipairs(bp.apps or {}) do
    for _, r in ipairs(M.app(bp, app)) do out[#out + 1] = r end
  end
  return out
end

return M
