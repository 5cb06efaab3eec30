-- Record data of the DNS providers: checks of each value by record type, the canonical form
-- two spellings of one value share (so that a refresh does not report "2001:DB8::1" as drift
-- from "2001:db8::1"), and TXT text split into quoted strings of at most 255 bytes.
--
-- Values are written as in a zone file, without the owner, TTL and type: A "192.0.2.1",
-- MX "10 mail.example.org.", SRV "0 5 443 web.example.org." (priority weight port target),
-- CAA "0 issue \"letsencrypt.org\"". TXT is the text itself ("v=spf1 mx -all"); cairn quotes and
-- splits it. A TXT value that starts with a double quote is taken as already quoted strings.
local names = require("lib.dns.names")

local M = {}

--- Record types the providers manage.
M.TYPES = { A = true, AAAA = true, CNAME = true, MX = true, TXT = true, SRV = true, NS = true,
            CAA = true }

--- Largest TTL a record may have (RFC 2181 section 8: 2^31 - 1 seconds).
M.MAX_TTL = 2147483647

local function ipv4_ok(s)
  local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if not a then return false end
  for _, part in ipairs({ a, b, c, d }) do
    if #part > 1 and part:sub(1, 1) == "0" then return false end
    if tonumber(part) > 255 then return false end
  end
  return true
end

-- The eight 16-bit groups of an IPv6 address, or nil when `s` is not one.
local function ipv6_groups(s)
  if s:find(":::", 1, true) or not s:match("^[%x:.]+$") then return nil end
  local tail4
  local v4 = s:match(":(%d+%.%d+%.%d+%.%d+)$")
  if v4 then
    if not ipv4_ok(v4) then return nil end
    local a, b, c, d = v4:match("(%d+)%.(%d+)%.(%d+)%.(%d+)")
    tail4 = { string.format("%x", tonumber(a) * 256 + tonumber(b)),
              string.format("%x", tonumber(c) * 256 + tonumber(d)) }
    s = s:sub(1, #s - #v4) .. "0:0"
  end
  local function split(part)
    local out = {}
    if part == "" then return out end
    for g in (part .. ":"):gmatch("([^:]*):") do
      if g == "" or #g > 4 or not g:match("^%x+$") then return nil end
      out[#out + 1] = g
    end
    return out
  end
  local groups
  local dbl = s:find("::", 1, true)
  if dbl then
    if s:find("::", dbl + 1, true) then return nil end
    local head, tail = split(s:sub(1, dbl - 1)), split(s:sub(dbl + 2))
    if not head or not tail or #head + #tail > 7 then return nil end
    groups = head
    for _ = 1, 8 - #head - #tail do groups[#groups + 1] = "0" end
    for _, g in ipairs(tail) do groups[#groups + 1] = g end
  else
    groups = split(s)
    if not groups or #groups ~= 8 then return nil end
  end
  if tail4 then groups[7], groups[8] = tail4[1], tail4[2] end
  for i, g in ipairs(groups) do groups[i] = string.format("%x", tonumber(g, 16)) end
  return groups
end

--- The quoted strings of a TXT value that starts with '"', or nil and why it cannot be read.
function M.parse_quoted(s)
  local chunks, i = {}, 1
  while i <= #s do
    local c = s:sub(i, i)
    if c == " " or c == "\t" then
      i = i + 1
    elseif c ~= '"' then
      return nil, "text outside double quotes at byte " .. i ..
                  " (write every part as \"...\", or leave all quotes out)"
    else
      local buf, j, closed = {}, i + 1, false
      while j <= #s do
        local d = s:sub(j, j)
        if d == "\\" then
          buf[#buf + 1] = s:sub(j + 1, j + 1)
          j = j + 2
        elseif d == '"' then
          closed = true
          break
        else
          buf[#buf + 1] = d
          j = j + 1
        end
      end
      if not closed then return nil, "a double quote opened at byte " .. i .. " is never closed" end
      chunks[#chunks + 1] = table.concat(buf)
      i = j + 1
    end
  end
  if #chunks == 0 then return nil, "no quoted string" end
  return chunks
end

--- The text of a TXT value: quoted strings joined, or the value itself.
function M.txt_text(v)
  if v:sub(1, 1) == '"' then
    local chunks = M.parse_quoted(v)
    if chunks then return table.concat(chunks) end
  end
  return v
end

--- A TXT value as quoted strings of at most 255 bytes each, as DNS servers take them.
function M.txt_quoted(v)
  local chunks
  if v:sub(1, 1) == '"' then chunks = M.parse_quoted(v) end
  if not chunks then
    chunks = {}
    for i = 1, math.max(#v, 1), 255 do chunks[#chunks + 1] = v:sub(i, i + 254) end
  end
  local out = {}
  for i, c in ipairs(chunks) do
    out[i] = '"' .. c:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
  end
  return table.concat(out, " ")
end

local function fields(v)
  local out = {}
  for f in v:gmatch("%S+") do out[#out + 1] = f end
  return out
end

local function uint(s, max)
  if not s or not s:match("^%d+$") then return nil end
  local n = tonumber(s)
  if n > max then return nil end
  return n
end

local function host_problem(h, what)
  local why = names.check_host(h, false)
  if why then return what .. ": " .. why end
  if ipv4_ok(h:gsub("%.$", "")) then return what .. " must be a name, not an address" end
  return nil
end

-- Checks of one value by type: nil when fine, else { message, hint }.
local checks = {
  A = function(v)
    if not ipv4_ok(v) then
      return { "'" .. v .. "' is not an IPv4 address", "write four numbers 0-255: 192.0.2.10" }
    end
  end,
  AAAA = function(v)
    if not ipv6_groups(v) then
      return { "'" .. v .. "' is not an IPv6 address", "write it like 2001:db8::10" }
    end
  end,
  CNAME = function(v)
    local why = host_problem(v, "the target")
    if why then return { why, "a CNAME points at one host name, e.g. example.org." } end
  end,
  NS = function(v)
    local why = host_problem(v, "the name server")
    if why then return { why, "write the server's host name, e.g. ns1.example.org." } end
  end,
  MX = function(v)
    local f = fields(v)
    if #f ~= 2 or not uint(f[1], 65535) then
      return { "'" .. v .. "' is not '<priority> <host>'",
               "give the priority 0-65535 as `priority:` and the mail host as the value" }
    end
    local why = host_problem(f[2], "the mail host")
    if why then return { why, "an MX names the mail server's host, e.g. mail.example.org." } end
  end,
  SRV = function(v)
    local f = fields(v)
    if #f ~= 4 or not uint(f[1], 65535) or not uint(f[2], 65535) or not uint(f[3], 65535) then
      return { "'" .. v .. "' is not '<priority> <weight> <port> <target>'",
               "write the value as \"<weight> <port> <target>\" and the priority as `priority:`" }
    end
    if f[4] ~= "." then
      local why = host_problem(f[4], "the target")
      if why then return { why, "the target is a host name, e.g. mail.example.org." } end
    end
  end,
  CAA = function(v)
    local flags, tag, value = v:match("^(%d+)%s+(%w+)%s+(.+)$")
    if not flags or tonumber(flags) > 255 or not value:match('^".*"$') then
      return { "'" .. v .. "' is not '<flags> <tag> \"<value>\"'",
               "write it like 0 issue \"letsencrypt.org\"" }
    end
  end,
  TXT = function(v)
    if v:sub(1, 1) == '"' then
      local chunks, why = M.parse_quoted(v)
      if not chunks then return { "TXT value: " .. why, "close every quote, or write the text without quotes" } end
      for i, c in ipairs(chunks) do
        if #c > 255 then
          return { "quoted string " .. i .. " of the TXT value has " .. #c ..
                   " bytes; one string holds at most 255",
                   "split it into several quoted strings, or leave the quotes out and cairn splits it" }
        end
      end
    elseif #v > 4000 then
      return { "the TXT value has " .. #v .. " bytes; at most 4000 fit in one record",
               "shorten it" }
    end
  end,
}

--- Checks a record set (`values` may hold cairn.unknown, which is skipped) and raises a
--- cairn.fail naming the attribute at fault: "values[2]", "ttl", "type".
function M.check(rtype, values, ttl)
  if not M.TYPES[rtype] then
    cairn.fail("unsupported record type '" .. tostring(rtype) .. "'",
               { path = "type", hint = "use one of A, AAAA, CNAME, MX, TXT, SRV, NS, CAA" })
  end
  if ttl ~= nil and not cairn.is_unknown(ttl) then
    if math.type(ttl) ~= "integer" or ttl < 1 or ttl > M.MAX_TTL then
      cairn.fail("TTL " .. tostring(ttl) .. " is out of range",
                 { path = "ttl", hint = "a TTL is a whole number of seconds, 1 to " .. M.MAX_TTL })
    end
  end
  if cairn.is_unknown(values) then return end
  if #values == 0 then
    cairn.fail("the record set has no value", { path = "values", hint =
      "an exposed host resolves to dns.public_address (mode public) or to dns.local_address or " ..
      "network.virtual_ip (mode local): set it, or write the host's record under dns.zones" })
  end
  if rtype == "CNAME" and #values > 1 then
    cairn.fail("a CNAME has exactly one value, this one has " .. #values,
               { path = "values[1]", hint = "a name is an alias of one other name" })
  end
  local seen = {}
  for i, v in ipairs(values) do
    if not cairn.is_unknown(v) then
      local path = "values[" .. (i - 1) .. "]"
      if type(v) ~= "string" then
        cairn.fail("record values are strings, got " .. type(v), { path = path })
      end
      local bad = checks[rtype](v)
      if bad then cairn.fail(bad[1], { path = path, hint = bad[2] }) end
      local canon = M.canonical(rtype, v)
      if seen[canon] then
        cairn.fail("the value '" .. v .. "' is given twice", { path = path, hint = "remove one" })
      end
      seen[canon] = true
    end
  end
end

--- The form of a valid value that two spellings of it share.
function M.canonical(rtype, v)
  if rtype == "AAAA" then
    local g = ipv6_groups(v)
    return g and table.concat(g, ":") or v
  elseif rtype == "TXT" then
    return M.txt_text(v)
  elseif rtype == "CNAME" or rtype == "NS" then
    return names.absolute(v)
  elseif rtype == "MX" or rtype == "SRV" then
    local f = fields(v)
    for i = 1, #f - 1 do f[i] = tostring(tonumber(f[i]) or f[i]) end
    if #f > 0 and f[#f] ~= "." then f[#f] = names.absolute(f[#f]) end
    return table.concat(f, " ")
  elseif rtype == "CAA" then
    return table.concat(fields(v), " "):lower()
  end
  return v
end

--- The form a DNS server's API takes (host names absolute, TXT quoted).
function M.to_server(rtype, v)
  if rtype == "TXT" then return M.txt_quoted(v) end
  if rtype == "A" then return v end
  return M.canonical(rtype, v)
end

--- `live` values in the spelling of `prior` when both hold the same values (in any order),
--- else `live` as it is; refreshes then show only real changes.
function M.keep_spelling(rtype, prior, live)
  if type(prior) ~= "table" or #prior ~= #live then return live end
  local want = {}
  for _, v in ipairs(live) do
    local c = M.canonical(rtype, v)
    want[c] = (want[c] or 0) + 1
  end
  for _, v in ipairs(prior) do
    if type(v) ~= "string" then return live end
    local c = M.canonical(rtype, v)
    if not want[c] or want[c] == 0 then return live end
    want[c] = want[c] - 1
  end
  return prior
end

return M
