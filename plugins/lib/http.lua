-- HTTP for provider plugins: host.http plus the handling of transient failures that every API
-- client needs. Use it instead of host.http:
--
--   local http = require("lib.http")
--   local resp = http.request{ method = "GET", url = base .. "/nodes" }
--
-- A response with status 429, 502, 503 or 504, and a request that got no response at all
-- (connection refused, reset, timed out), become cairn.fail(..., { retryable = true }) so that
-- apply retries the call with backoff; a Retry-After header (seconds or an HTTP date) is passed
-- on as retry_after, the least the engine waits. Every other response is returned as it is.
local host_http = require("host.http")

local M = {}

-- Statuses that mean "try again later" rather than "this request is wrong".
M.transient_statuses = { [429] = true, [502] = true, [503] = true, [504] = true }

local months = {
  Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
  Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12,
}

-- Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), so that
-- an HTTP date converts to epoch seconds without depending on the local time zone.
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = (153 * mp + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

--- Seconds to wait from a Retry-After value: "120" or "Wed, 21 Oct 2015 07:28:00 GMT".
--- `now` (epoch seconds) defaults to os.time(). Returns nil when the value is not understood,
--- and 0 for a date in the past.
function M.retry_after_seconds(value, now)
  if type(value) ~= "string" then return nil end
  value = value:match("^%s*(.-)%s*$")
  if value:match("^%d+$") then return tonumber(value) end
  local day, mon, year, hh, mm, ss =
    value:match("^%a+,%s+(%d+)%s+(%a+)%s+(%d+)%s+(%d+):(%d+):(%d+)%s+GMT$")
  if not day or not months[mon] then return nil end
  local at = days_from_civil(tonumber(year), months[mon], tonumber(day)) * 86400
    + tonumber(hh) * 3600 + tonumber(mm) * 60 + tonumber(ss)
  local wait = at - (now or os.time())
  return wait > 0 and wait or 0
end

--- Like host.http.request, but transient failures raise a retryable cairn.fail (see above).
--- Returns the response for every other status, 4xx and 5xx included.
function M.request(req)
  local method = (req.method or "GET"):upper()
  local resp, err = host_http.request(req)
  if not resp then
    cairn.fail(method .. " " .. tostring(req.url) .. " got no response: " .. tostring(err), {
      retryable = true,
      hint = "check that the service is up and reachable from this machine",
    })
  end
  if M.transient_statuses[resp.status] then
    local opts = { retryable = true, hint = "the service is busy or restarting; apply retries" }
    local after = M.retry_after_seconds(resp.headers["retry-after"])
    if after then opts.retry_after = after end
    local body = resp.body or ""
    if #body > 200 then body = body:sub(1, 200) .. "..." end
    cairn.fail(method .. " " .. req.url .. " answered " .. resp.status ..
               (body ~= "" and (": " .. body) or ""), opts)
  end
  return resp
end

return M
