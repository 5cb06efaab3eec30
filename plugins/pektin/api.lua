-- pektin-api: every method is a POST of JSON carrying the client's credentials, answered with
-- {type, message, data}. Two credential styles exist: client_username + confidant_password
-- (pektin-api) and client_username + client_token (a Vault token; its MOWS successor). A reverse
-- proxy in front may also ask for HTTP Basic authentication ("perimeter" credentials).
local http = require("lib.http")
local json = require("host.json")
local base64 = require("host.base64")

local M = {}

--- A client from the provider settings, or nil and why not.
function M.client(config)
  local c = { base = config.endpoint:gsub("/+$", ""), username = config.username,
              ca_file = config.ca_file }
  if config.confidant_password ~= nil and config.client_token ~= nil then
    return nil, "set confidant_password or client_token, not both"
  end
  if config.confidant_password ~= nil then
    c.auth = { client_username = config.username, confidant_password = config.confidant_password }
  elseif config.client_token ~= nil then
    c.auth = { client_username = config.username, client_token = config.client_token }
  else
    return nil, "set confidant_password (pektin-api) or client_token (a Vault token)"
  end
  if config.perimeter_username ~= nil then
    c.perimeter = "Basic " .. base64.encode(config.perimeter_username .. ":" ..
                                            (config.perimeter_password or ""))
  end
  return c
end

-- The per-item messages of an error answer, joined ("ignored" items are left out).
local function item_errors(doc)
  local out = {}
  if type(doc) == "table" and type(doc.data) == "table" then
    for i, item in ipairs(doc.data) do
      if type(item) == "table" and item.type == "error" then
        out[#out + 1] = "#" .. i .. ": " .. tostring(item.message)
      end
    end
  end
  return table.concat(out, "; ")
end

--- Calls `method` ("set", "get", ...) with `body` plus the credentials; returns the decoded
--- answer of a 200. Errors become cairn.fail with pektin-api's own messages.
function M.call(client, method, body, what)
  local payload = {}
  for k, v in pairs(body) do payload[k] = v end
  for k, v in pairs(client.auth) do payload[k] = v end
  local headers = { ["Content-Type"] = "application/json", Accept = "application/json" }
  if client.perimeter then headers.Authorization = client.perimeter end
  local resp = http.request{
    method = "POST", url = client.base .. "/" .. method, headers = headers,
    body = json.encode(payload), ca_file = client.ca_file,
  }
  local ok, doc = pcall(json.decode, resp.body or "")
  if not ok or type(doc) ~= "table" then doc = nil end
  local message = doc and tostring(doc.message or ""):gsub("%s+$", "") or (resp.body or "")
  if #message > 300 then message = message:sub(1, 300) .. "..." end
  if resp.status == 401 then
    cairn.fail("pektin-api refused the credentials while " .. what .. ": " .. message, {
      hint = doc and "check providers.pektin.username and confidant_password or client_token"
        or "the reverse proxy in front refused the request; check perimeter_username and perimeter_password",
    })
  end
  if resp.status >= 400 or doc == nil then
    local items = doc and item_errors(doc) or ""
    cairn.fail("pektin-api answered " .. resp.status .. " while " .. what .. ": " .. message ..
               (items ~= "" and (" (" .. items .. ")") or ""), {
      hint = resp.status == 400 and "the records were rejected; nothing of this request was written"
        or "check the pektin-api log",
      retryable = resp.status >= 500,
    })
  end
  return doc
end

--- The records of each zone in `zones` (absolute names), from one /get-zone-records call:
--- { [zone] = { record, ... } }; a zone the server does not have is left out.
function M.zone_records(client, zones)
  local out = {}
  if #zones == 0 then return out end
  local doc = M.call(client, "get-zone-records", { names = zones }, "reading zones")
  for i, item in ipairs(doc.data or {}) do
    if type(item) == "table" and item.type == "success" and type(item.data) == "table" then
      out[zones[i]] = item.data
    end
  end
  return out
end

--- Writes records (DbEntry tables) in one /set call.
function M.set(client, records, what)
  M.call(client, "set", { records = records }, what)
end

--- Deletes record sets ({ name =, rr_type = }) in one /delete call.
function M.delete(client, ids, what)
  if #ids == 0 then return end
  M.call(client, "delete", { records = ids }, what)
end

--- The record of `name` and `rr_type`, or nil.
function M.get(client, name, rr_type)
  local doc = M.call(client, "get", { records = { { name = name, rr_type = rr_type } } },
                     "reading " .. name .. " " .. rr_type)
  local item = doc.data and doc.data[1]
  if type(item) == "table" and item.type == "success" and type(item.data) == "table" then
    return item.data
  end
  return nil
end

return M
