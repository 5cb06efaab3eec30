-- A connection to one API server: authenticated requests over host.http (connections are
-- reused within a VM), JSON in and out, failures of the transport as retryable cairn.fail.
local http = require("host.http")
local json = require("host.json")
local paths = require("lib.kube.paths")

local M = {}
M.__index = M

-- metadata.managedFields (as large as the object itself) is the server's bookkeeping; cairn
-- never reads it, so it is skipped while decoding (a data key of that name stays).
local DECODE = { drop_keys = { "metadata.managedFields" } }

-- conn: what lib.kube.kubeconfig returns. opts.timeout: seconds per request (default 30).
function M.new(conn, opts)
  opts = opts or {}
  local headers = { Accept = "application/json", ["User-Agent"] = "cairn" }
  -- Asking for the identity encoding keeps the server from gzipping large LISTs.
  if conn.disable_compression then headers["Accept-Encoding"] = "identity" end
  if conn.token ~= nil and conn.token ~= "" then
    headers.Authorization = "Bearer " .. conn.token
  elseif conn.basic ~= nil then
    headers.Authorization = "Basic " .. conn.basic
  end
  return setmetatable({
    conn = conn,
    server = conn.server,
    namespace = conn.namespace or "default",
    headers = headers,
    with_type = {},  -- Content-Type -> headers with it (M:send)
    timeout = opts.timeout or 30,
    requests = 0,
  }, M)
end

-- An object's JSON text decoded as responses are: without metadata.managedFields.
function M.decode(text)
  return json.decode(text, DECODE)
end

-- Sends one request. `path` may carry a query already; `params` adds more. `body` is a table
-- (sent as JSON) or a string. Returns the response { status, headers, body } with the body left
-- as text (see M:request). A transport failure raises a retryable fail.
function M:send(method, path, params, body, content_type)
  local headers = self.headers
  local text
  if body ~= nil then
    text = type(body) == "string" and body or json.encode(body)
    -- One header table per content type, kept: host.http only reads it.
    local ct = content_type or "application/json"
    headers = self.with_type[ct]
    if headers == nil then
      headers = { ["Content-Type"] = ct }
      for k, v in pairs(self.headers) do headers[k] = v end
      self.with_type[ct] = headers
    end
  end
  local url = self.server .. path .. paths.query(params)
  local conn = self.conn
  local resp, err = http.request{
    method = method, url = url, headers = headers, body = text, timeout = self.timeout,
    ca_pem = conn.ca_pem, ca_file = conn.ca_file,
    client_cert_pem = conn.client_cert_pem, client_key_pem = conn.client_key_pem,
    client_cert = conn.client_cert_file, client_key = conn.client_key_file,
    insecure = conn.insecure or nil,
  }
  self.requests = self.requests + 1
  if resp == nil then
    cairn.fail("cannot reach the Kubernetes API at " .. self.server .. ": " .. tostring(err), {
      hint = "is the cluster up, and is providers.kubernetes pointing at it?", retryable = true,
    })
  end
  return resp
end

-- Sends one request (see M:send). Returns the response { status, headers, body, doc } where doc
-- is the decoded JSON body without metadata.managedFields (nil when it is not JSON).
function M:request(method, path, params, body, content_type)
  local resp = self:send(method, path, params, body, content_type)
  local ctype = resp.headers["content-type"] or ""
  if resp.body ~= "" and ctype:find("json", 1, true) then
    local ok, doc = pcall(json.decode, resp.body, DECODE)
    if ok then resp.doc = doc end
  end
  return resp
end

return M
