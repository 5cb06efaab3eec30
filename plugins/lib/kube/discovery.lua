-- Which REST resource serves a kind: built-in kinds from a table (no request needed, so that a
-- plan of plain objects works before the cluster exists), everything else from the discovery
-- endpoints, cached per VM and per server.
local paths = require("lib.kube.paths")

local M = {}

-- Kinds every Kubernetes API server serves: apiVersion -> kind -> { plural, namespaced }.
M.builtin = {
  ["v1"] = {
    Namespace = { "namespaces", false }, Node = { "nodes", false },
    PersistentVolume = { "persistentvolumes", false },
    ConfigMap = { "configmaps", true }, Secret = { "secrets", true },
    Service = { "services", true }, ServiceAccount = { "serviceaccounts", true },
    PersistentVolumeClaim = { "persistentvolumeclaims", true }, Pod = { "pods", true },
    ResourceQuota = { "resourcequotas", true }, LimitRange = { "limitranges", true },
    Endpoints = { "endpoints", true },
  },
  ["apps/v1"] = {
    Deployment = { "deployments", true }, StatefulSet = { "statefulsets", true },
    DaemonSet = { "daemonsets", true }, ReplicaSet = { "replicasets", true },
  },
  ["batch/v1"] = { Job = { "jobs", true }, CronJob = { "cronjobs", true } },
  ["networking.k8s.io/v1"] = {
    Ingress = { "ingresses", true }, NetworkPolicy = { "networkpolicies", true },
    IngressClass = { "ingressclasses", false },
  },
  ["rbac.authorization.k8s.io/v1"] = {
    Role = { "roles", true }, RoleBinding = { "rolebindings", true },
    ClusterRole = { "clusterroles", false }, ClusterRoleBinding = { "clusterrolebindings", false },
  },
  ["storage.k8s.io/v1"] = { StorageClass = { "storageclasses", false } },
  ["node.k8s.io/v1"] = { RuntimeClass = { "runtimeclasses", false } },
  ["policy/v1"] = { PodDisruptionBudget = { "poddisruptionbudgets", true } },
  ["apiextensions.k8s.io/v1"] = {
    CustomResourceDefinition = { "customresourcedefinitions", false },
  },
}

-- Built-in resources made so far, by apiVersion and kind (callers only read them).
local made = {}

-- The built-in resource of a kind, or nil.
function M.builtin_resource(api_version, kind)
  local byv = M.builtin[api_version]
  local e = byv and byv[kind]
  if e == nil then return nil end
  local key = api_version .. " " .. kind
  local res = made[key]
  if res == nil then
    res = { api_version = api_version, kind = kind, plural = e[1], namespaced = e[2], builtin = true }
    made[key] = res
  end
  return res
end

-- Per-VM cache: server -> apiVersion -> { kinds = { Kind = resource }, at = time }.
local cache = {}

function M.forget(server, api_version)
  if cache[server] then cache[server][api_version] = nil end
end

-- The resource serving `kind` of `api_version`, asking the server when it is not built in.
-- Returns nil (and the response) when the server does not serve it (yet).
function M.resolve(client, api_version, kind)
  local res = M.builtin_resource(api_version, kind)
  if res then return res end
  local per_server = cache[client.server]
  if per_server == nil then
    per_server = {}
    cache[client.server] = per_server
  end
  local entry = per_server[api_version]
  if entry == nil then
    local resp = client:request("GET", paths.group_version_path(api_version))
    if resp.status == 404 then return nil, resp end
    if resp.status >= 400 or resp.doc == nil then
      require("lib.kube.errors").fail(resp, "discovery of " .. api_version)
    end
    entry = { kinds = {} }
    for _, r in ipairs(resp.doc.resources or {}) do
      if not tostring(r.name):find("/", 1, true) then  -- skip subresources ("deployments/status")
        entry.kinds[r.kind] = {
          api_version = api_version, kind = r.kind, plural = r.name, namespaced = r.namespaced,
        }
      end
    end
    per_server[api_version] = entry
  end
  local found = entry.kinds[kind]
  if found == nil then
    -- A group that is served already may gain a kind (a second CRD of the group): ask again
    -- next time rather than trusting the cache.
    per_server[api_version] = nil
  end
  return found
end

return M
