-- The PowerDNS Authoritative HTTP API (/api/v1, X-API-Key): zones and their RRsets. Transient
-- failures are retried through lib.http; every other error becomes a cairn.fail that quotes
-- PowerDNS's own {"error": ...} message and says what to check.
local http = require("lib.http")
local json = require("host.json")
local time = require("host.time")

local M = {}

-- Quick repeats of a request the server failed with 500 (a locked database).
local BUSY_TRIES = 10

local function url_of(client, path)
  return client.base .. "/api/v1/servers/" .. client.server_id .. path
end

-- PowerDNS's explanation from an error body, or the start of the body.
local function error_text(resp)
  local ok, doc = pcall(json.decode, resp.body or "")
  if ok and type(doc) == "table" and type(doc.error) == "string" then return doc.error end
  local body = resp.body or ""
  if #body > 200 then body = body:sub(1, 200) .. "..." end
  return body
end

--- Sends one request; returns the decoded body (or true for an empty one), or nil for 404.
--- `what` says what was being done, for messages.
function M.call(client, method, path, body, what)
  local req = {
    method = method, url = url_of(client, path),
    headers = { ["X-API-Key"] = client.api_key, Accept = "application/json" },
    ca_file = client.ca_file,
  }
  if body ~= nil then
    req.body = json.encode(body)
    req.headers["Content-Type"] = "application/json"
  end
  local resp = http.request(req)
  -- The sqlite3 backend refuses a write while another is in progress ("database is locked" in
  -- the server's log, a bare 500 to the client); that lasts milliseconds, so try again soon a few
  -- times before leaving it to apply's slower retries. Every request here is safe to repeat.
  for _ = 1, BUSY_TRIES do
    if resp.status ~= 500 then break end
    time.sleep(0.02 + math.random() * 0.2)
    resp = http.request(req)
  end
  if resp.status == 404 then return nil end
  if resp.status == 401 or resp.status == 403 then
    cairn.fail("PowerDNS refused the API key while " .. what .. " (HTTP " .. resp.status .. ")",
               { hint = "check providers.powerdns.api_key against the server's api-key setting" })
  end
  if resp.status >= 400 then
    local text = error_text(resp)
    cairn.fail("PowerDNS answered " .. resp.status .. " while " .. what .. ": " .. text, {
      hint = resp.status == 422 and "the server rejected the data; check the record values" or
             "check the PowerDNS log",
      retryable = resp.status >= 500,
    })
  end
  if resp.body == nil or resp.body == "" then return true end
  local ok, doc = pcall(json.decode, resp.body)
  if not ok then
    cairn.fail("PowerDNS sent a body that is not JSON while " .. what, {
      hint = "is providers.powerdns.api_url the API (webserver port), not another service?",
    })
  end
  return doc
end

local function zone_path(zone) return "/zones/" .. zone end

--- The zone with all its RRsets (one GET), or nil when the server does not have it.
function M.get_zone(client, zone)
  local doc = M.call(client, "GET", zone_path(zone), nil, "reading zone " .. zone)
  return doc
end

--- Every zone's name.
function M.list_zones(client)
  local out = {}
  for _, z in ipairs(M.call(client, "GET", "/zones", nil, "listing zones") or {}) do
    out[#out + 1] = z.name
  end
  return out
end

--- Creates a zone with its NS record set and a SOA naming the first name server and
--- hostmaster.<zone> (instead of the server's default-soa-content); PowerDNS keeps the serial.
function M.create_zone(client, zone, kind, nameservers)
  local soa = nameservers[1] .. " hostmaster." .. zone .. " 1 10800 3600 604800 3600"
  return M.call(client, "POST", "/zones", {
    name = zone, kind = kind, nameservers = nameservers, soa_edit_api = "DEFAULT",
    rrsets = { { name = zone, type = "SOA", ttl = 3600,
                 records = { { content = soa, disabled = false } } } },
  }, "creating zone " .. zone)
end

function M.delete_zone(client, zone)
  M.call(client, "DELETE", zone_path(zone), nil, "deleting zone " .. zone)
end

--- PATCH of RRsets: each change { name, type, changetype = "REPLACE"|"DELETE", ttl, records }.
function M.patch(client, zone, rrsets, what)
  local doc = M.call(client, "PATCH", zone_path(zone), { rrsets = rrsets }, what)
  if doc == nil then
    cairn.fail("zone " .. zone .. " does not exist on the server (while " .. what .. ")", {
      hint = "it was deleted outside cairn; run cairn plan to create it again",
    })
  end
end

return M
