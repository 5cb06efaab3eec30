-- Domain names for the DNS providers: absolute names with a trailing dot, the zone a name falls
-- in, host name syntax, and the resource names cairn gives zones and record sets.
local M = {}

--- The absolute form of `name` (lower case, one trailing dot). A name the blueprint writes
--- without the dot is taken as fully qualified, never as relative to a zone.
function M.absolute(name)
  name = name:lower()
  if name:sub(-1) ~= "." then name = name .. "." end
  return name
end

--- The absolute name of a record written relative to `zone` ("@" is the apex, "www" a child,
--- and a name ending in "." stays as it is).
function M.in_zone(name, zone)
  zone = M.absolute(zone)
  if name == "@" or name == "" then return zone end
  if name:sub(-1) == "." then return name:lower() end
  return name:lower() .. "." .. zone
end

--- True when `name` equals `zone` or lies below it (both absolute).
function M.under(name, zone)
  if name == zone then return true end
  return #name > #zone and name:sub(-(#zone + 1)) == "." .. zone
end

--- The zone of `zones` (absolute names) that holds `name`: the longest suffix, or nil.
function M.zone_of(name, zones)
  local best
  for _, z in ipairs(zones) do
    if M.under(name, z) and (best == nil or #z > #best) then best = z end
  end
  return best
end

--- nil when `name` is a valid host name (absolute or not), else why it is not. A leading "*"
--- label is accepted when `wildcard` is true, and "_" in labels (as in _dmarc) always.
function M.check_host(name, wildcard)
  if type(name) ~= "string" or name == "" then return "a name must not be empty" end
  local body = name:sub(-1) == "." and name:sub(1, -2) or name
  if #body > 253 then return "a name is at most 253 characters long, this one has " .. #body end
  local first = true
  for label in (body .. "."):gmatch("([^.]*)%.") do
    if label == "" then return "'" .. name .. "' has an empty label (two dots in a row)" end
    if #label > 63 then
      return "the label '" .. label:sub(1, 20) .. "...' is longer than 63 characters"
    end
    if not (wildcard and first and label == "*") then
      if not label:match("^[%w_-]+$") then
        return "'" .. label .. "' holds a character other than letters, digits, '-' and '_'"
      end
      if label:sub(1, 1) == "-" or label:sub(-1) == "-" then
        return "the label '" .. label .. "' starts or ends with '-'"
      end
    end
    first = false
  end
  return nil
end

--- The resource name cairn gives a zone or record set: "www.example.org." and "A" become
--- "www_example_org_A"; "*" becomes "wildcard".
function M.resource_name(name, rtype)
  local s = name:gsub("%.$", ""):gsub("%*", "wildcard"):gsub("%.", "_")
  if rtype ~= nil then s = s .. "_" .. rtype end
  return s
end

return M
