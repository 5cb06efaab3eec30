-- Manifests of an app's workload objects (pure functions of the app's blueprint entry).
local M = {}

local APP_LABEL = "app.kubernetes.io/name"

-- "500m" -> 500, 2 -> 2000, "0.5" -> 500: CPU in millicores.
function M.millicores(cpu)
  if type(cpu) == "number" then return math.floor(cpu * 1000 + 0.5) end
  local m = tostring(cpu):match("^(%d+)m$")
  if m then return tonumber(m) end
  return math.floor(tonumber(cpu) * 1000 + 0.5)
end

-- A CPU amount as the API writes it: "2", "500m".
function M.cpu_text(millicores)
  if millicores % 1000 == 0 then return tostring(millicores // 1000) end
  return tostring(millicores) .. "m"
end

-- Multiplies a quantity ("2Gi", 512, "1.5Ti") by n, keeping its suffix.
function M.scale_quantity(q, n)
  local num, suffix = tostring(q):match("^([%d%.]+)(%a*)$")
  local v = tonumber(num) * n
  if v == math.floor(v) then v = math.floor(v) end
  return tostring(v) .. suffix
end

local function resources(app)
  local limits = {}
  if app.cpu ~= nil then limits.cpu = M.cpu_text(M.millicores(app.cpu)) end
  if app.memory ~= nil then limits.memory = tostring(app.memory) end
  if next(limits) == nil then return nil end
  local requests = {}
  for k, v in pairs(limits) do requests[k] = v end
  return { limits = limits, requests = requests }
end

local function labels(app)
  return { [APP_LABEL] = app.name, ["app.kubernetes.io/part-of"] = "cairn" }
end

local function container(app, secret_names)
  local c = { name = app.name, image = app.image, resources = resources(app) }
  local ports = {}
  for _, p in ipairs(app.ports or {}) do
    ports[#ports + 1] = { name = p.name, containerPort = p.port,
                          protocol = (p.protocol or "tcp"):upper() }
  end
  if #ports > 0 then c.ports = ports end
  local names = {}
  for k in pairs(app.env or {}) do names[#names + 1] = k end
  table.sort(names)
  local env = {}
  for _, k in ipairs(names) do
    local v = app.env[k]
    if type(v) == "table" and v.secret ~= nil then
      env[#env + 1] = { name = k, valueFrom = { secretKeyRef = { name = secret_names.env, key = k } } }
    else
      env[#env + 1] = { name = k, value = tostring(v) }
    end
  end
  if #env > 0 then c.env = env end
  local mounts = {}
  for _, v in ipairs(app.volumes or {}) do mounts[#mounts + 1] = { name = v.name, mountPath = v.mount } end
  if secret_names.files then
    mounts[#mounts + 1] = { name = "cairn-secrets", mountPath = "/run/secrets", readOnly = true }
  end
  if #mounts > 0 then c.volumeMounts = mounts end
  return c
end

local function claim_spec(vol)
  return {
    accessModes = { "ReadWriteOnce" },
    storageClassName = vol.tier,
    resources = { requests = { storage = tostring(vol.size) } },
  }
end

-- A Deployment, or a StatefulSet (one claim per volume, on the volume's tier) when the app
-- keeps data.
function M.pod_controller(app, ns, secret_names)
  local pod = { containers = { container(app, secret_names) } }
  if app.runtime == "kata" then pod.runtimeClassName = "kata" end
  if secret_names.files then
    pod.volumes = { { name = "cairn-secrets",
                      secret = { secretName = secret_names.files, defaultMode = 256 } } }
  end
  local spec = {
    replicas = app.replicas or 1,
    selector = { matchLabels = { [APP_LABEL] = app.name } },
    template = { metadata = { labels = labels(app) }, spec = pod },
  }
  local kind = "Deployment"
  if app.volumes ~= nil and #app.volumes > 0 then
    kind = "StatefulSet"
    spec.serviceName = app.name
    local claims = {}
    for _, vol in ipairs(app.volumes) do
      claims[#claims + 1] = { metadata = { name = vol.name }, spec = claim_spec(vol) }
    end
    spec.volumeClaimTemplates = claims
  end
  return {
    apiVersion = "apps/v1", kind = kind,
    metadata = { name = app.name, namespace = ns, labels = labels(app) },
    spec = spec,
  }
end

function M.pvc(vol, app_name, ns)
  return {
    apiVersion = "v1", kind = "PersistentVolumeClaim",
    metadata = { name = app_name .. "-" .. vol.name, namespace = ns },
    spec = claim_spec(vol),
  }
end

-- A KubeVirt VirtualMachine booting the app's image as a container disk, with its volumes as
-- PVCs (made separately by M.pvc).
function M.virtual_machine(app, ns)
  local disks = { { name = "root", disk = { bus = "virtio" } } }
  local volumes = { { name = "root", containerDisk = { image = app.image } } }
  for _, vol in ipairs(app.volumes or {}) do
    disks[#disks + 1] = { name = vol.name, disk = { bus = "virtio" } }
    volumes[#volumes + 1] = { name = vol.name,
                              persistentVolumeClaim = { claimName = app.name .. "-" .. vol.name } }
  end
  local domain = { devices = { disks = disks }, resources = { requests = {} } }
  if app.memory ~= nil then domain.resources.requests.memory = tostring(app.memory) end
  if app.cpu ~= nil then
    domain.cpu = { cores = math.max(1, math.ceil(M.millicores(app.cpu) / 1000)) }
  end
  return {
    apiVersion = "kubevirt.io/v1", kind = "VirtualMachine",
    metadata = { name = app.name, namespace = ns, labels = labels(app) },
    spec = {
      runStrategy = "Always",
      template = { metadata = { labels = labels(app) },
                   spec = { domain = domain, volumes = volumes } },
    },
  }
end

function M.service(app, ns)
  local ports = {}
  for _, p in ipairs(app.ports) do
    ports[#ports + 1] = { name = p.name, port = p.port, targetPort = p.port,
                          protocol = (p.protocol or "tcp"):upper() }
  end
  return {
    apiVersion = "v1", kind = "Service",
    metadata = { name = app.name, namespace = ns, labels = labels(app) },
    spec = { selector = { [APP_LABEL] = app.name }, ports = ports },
  }
end

-- An Ingress for the exposures of one mode; the mode is the ingress class ("cairn-public") and
-- an annotation, for the providers that serve each mode.
function M.ingress(app, ns, mode, exposures)
  local rules = {}
  for _, e in ipairs(exposures) do
    rules[#rules + 1] = {
      host = e.host,
      http = { paths = { {
        path = "/", pathType = "Prefix",
        backend = { service = { name = app.name, port = { number = e.port } } },
      } } },
    }
  end
  return {
    apiVersion = "networking.k8s.io/v1", kind = "Ingress",
    metadata = { name = app.name .. "-" .. mode, namespace = ns, labels = labels(app),
                 annotations = { ["cairn.io/expose-mode"] = mode } },
    spec = { ingressClassName = "cairn-" .. mode, rules = rules },
  }
end

-- The namespace's quota: what the app's replicas may use together, plus its claims.
function M.quota(app, ns)
  local n = math.max(app.replicas or 1, 1)
  local hard = {}
  if app.cpu ~= nil then
    local total = M.cpu_text(M.millicores(app.cpu) * n)
    hard["requests.cpu"], hard["limits.cpu"] = total, total
  end
  if app.memory ~= nil then
    local total = M.scale_quantity(app.memory, n)
    hard["requests.memory"], hard["limits.memory"] = total, total
  end
  local claims = #(app.volumes or {})
  hard.persistentvolumeclaims = tostring(claims * n)
  return {
    apiVersion = "v1", kind = "ResourceQuota",
    metadata = { name = app.name, namespace = ns },
    spec = { hard = hard },
  }
end

return M
