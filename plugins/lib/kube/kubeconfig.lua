-- Connection settings for a Kubernetes API server, from a kubeconfig's text or from explicit
-- settings (server, token, CA). The sandbox cannot read ~/.kube/config, so the blueprint passes
-- the file's text (`kubeconfig_content: ${secrets.kubeconfig}` with `file:~/.kube/config`).
local yaml = require("host.yaml")
local base64 = require("host.base64")

local M = {}

local function named(list, name, what, file_hint)
  for _, entry in ipairs(list or {}) do
    if entry.name == name then return entry end
  end
  local names = {}
  for _, entry in ipairs(list or {}) do names[#names + 1] = tostring(entry.name) end
  cairn.fail("the kubeconfig has no " .. what .. " named '" .. tostring(name) .. "'", {
    hint = #names > 0 and ("it has: " .. table.concat(names, ", ")) or file_hint,
  })
end

local function decode_data(value, field)
  local ok, text = pcall(base64.decode, value)
  if not ok then
    cairn.fail("kubeconfig field " .. field .. " is not base64", {
      hint = "the *-data fields hold base64 of the PEM text; use the file fields for paths",
    })
  end
  return text
end

-- Parses kubeconfig text. Returns a connection table:
--   { server =, token =, ca_pem =, ca_file =, client_cert_pem =, client_key_pem =,
--     client_cert_file =, client_key_file =, insecure =, disable_compression =, namespace =,
--     context = }
-- `context` picks a context by name; nil uses current-context.
function M.parse(text, context)
  local ok, doc = pcall(yaml.decode, text)
  if not ok or type(doc) ~= "table" then
    cairn.fail("the kubeconfig is not YAML: " .. tostring(doc), {
      hint = "kubeconfig_content takes the text of the file (e.g. ${secrets.kubeconfig})",
    })
  end
  local ctx_name = context
  if ctx_name == nil or ctx_name == "" then ctx_name = doc["current-context"] end
  if ctx_name == nil or ctx_name == "" then
    cairn.fail("the kubeconfig names no current-context", {
      hint = "set providers.kubernetes.context to one of its contexts",
    })
  end
  local c = named(doc.contexts, ctx_name, "context", "the file lists no contexts").context or {}
  local cluster = named(doc.clusters, c.cluster, "cluster", "the file lists no clusters").cluster
  local user = {}
  if c.user ~= nil then
    user = named(doc.users, c.user, "user", "the file lists no users").user or {}
  end
  cluster = cluster or {}
  local conn = {
    server = cluster.server,
    insecure = cluster["insecure-skip-tls-verify"] == true,
    -- As kubectl: large responses are not gzipped (cheaper where bandwidth is not short).
    disable_compression = cluster["disable-compression"] == true,
    namespace = c.namespace,
    context = ctx_name,
    token = user.token,
    ca_file = cluster["certificate-authority"],
    client_cert_file = user["client-certificate"],
    client_key_file = user["client-key"],
  }
  if cluster["certificate-authority-data"] then
    conn.ca_pem = decode_data(cluster["certificate-authority-data"], "certificate-authority-data")
  end
  if user["client-certificate-data"] then
    conn.client_cert_pem = decode_data(user["client-certificate-data"], "client-certificate-data")
  end
  if user["client-key-data"] then
    conn.client_key_pem = decode_data(user["client-key-data"], "client-key-data")
  end
  if user.exec ~= nil or user["auth-provider"] ~= nil then
    cairn.fail("the kubeconfig user '" .. tostring(c.user) .. "' authenticates with an exec " ..
               "or auth-provider plugin, which cairn cannot run", {
      hint = "use a token or a client certificate (e.g. k3s's /etc/rancher/k3s/k3s.yaml)",
    })
  end
  if user.username ~= nil and user.token == nil and conn.client_cert_pem == nil
      and conn.client_cert_file == nil then
    conn.basic = base64.encode(tostring(user.username) .. ":" .. tostring(user.password or ""))
  end
  if type(conn.server) ~= "string" or conn.server == "" then
    cairn.fail("the kubeconfig's cluster '" .. tostring(c.cluster) .. "' has no server URL")
  end
  return conn
end

-- The connection described by the provider settings: a kubeconfig's text, then explicit
-- settings on top (server, token, ca_data, namespace). Nil when nothing is configured.
function M.from_config(config)
  local conn
  local content = config.kubeconfig_content
  if content ~= nil and content ~= "" then conn = M.parse(content, config.context) end
  if config.server ~= nil and config.server ~= "" then
    conn = conn or {}
    conn.server = config.server
  end
  if conn == nil then return nil end
  if config.token ~= nil and config.token ~= "" then conn.token = config.token end
  if config.ca_data ~= nil and config.ca_data ~= "" then
    local ca = config.ca_data
    if not ca:find("-----BEGIN", 1, true) then ca = decode_data(ca, "ca_data") end
    conn.ca_pem = ca
  end
  if config.namespace ~= nil and config.namespace ~= "" then
    conn.namespace = config.namespace
  end
  if config.disable_compression ~= nil then conn.disable_compression = config.disable_compression end
  conn.namespace = conn.namespace or "default"
  conn.server = conn.server:gsub("/+$", "")
  return conn
end

return M
