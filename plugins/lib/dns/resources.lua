-- What the DNS providers share: the schemas of `<provider>.zone` and `<provider>.record`, the
-- plan-time checks of a record set, and the list of record sets in a zone that the blueprint
-- does not name (which an authoritative zone deletes). Each provider adds its API calls.
local json = require("host.json")
local names = require("lib.dns.names")
local rdata = require("lib.dns.rdata")
local expand = require("lib.dns.expand")

local M = {}

M.zone_schema = {
  name = { type = "string", required = true, force_new = true,
           description = "The zone, absolute: \"example.org.\"." },
  nameservers = { type = "list",
                  description = "Host names of the zone's name servers (its apex NS record set)." },
  authoritative = { type = "bool", default = false,
                    description = "cairn owns the whole zone: record sets the blueprint does not name are deleted." },
  other_records = { type = "list",
                    description = "Record sets in the zone that no resource names (\"old.example.org. TXT\"); " ..
                                  "an authoritative zone plans them for deletion." },
}

M.record_schema = {
  zone = { type = "string", required = true, force_new = true,
           description = "The zone that holds the record set, absolute: \"example.org.\"." },
  name = { type = "string", required = true, force_new = true,
           description = "The owner name, absolute: \"www.example.org.\"." },
  type = { type = "string", required = true, force_new = true,
           description = "Record type: A, AAAA, CNAME, MX, TXT, SRV, NS or CAA." },
  ttl = { type = "number", default = 3600, description = "Time to live in seconds." },
  values = { type = "list", required = true,
             description = "The record data as in a zone file (\"10 mail.example.org.\" for MX, the text for TXT)." },
}

--- The id of a record set: "<name>/<type>".
function M.record_id(name, rtype) return name .. "/" .. rtype end

--- The name and type of a record id.
function M.split_record_id(id)
  local name, rtype = tostring(id):match("^(.+)/(%u+)$")
  return name, rtype
end

local function copy(t)
  local out = {}
  for k, v in pairs(t) do out[k] = v end
  return out
end

-- Every record set the blueprint names for `provider`, keyed by absolute name, then type.
local function blueprint_types_by_name(bp, provider)
  local by_name = {}
  local function add(name, rtype)
    by_name[name] = by_name[name] or {}
    by_name[name][rtype] = true
  end
  for _, z in ipairs(expand.zones(bp)) do
    for _, r in ipairs(z.records) do add(r.name, r.type) end
  end
  for _, set in pairs(expand.declared(bp, provider)) do
    for key in pairs(set) do
      local name, rtype = key:match("^(%S+) (%S+)$")
      add(name, rtype)
    end
  end
  return by_name
end

-- The last answer of blueprint_types_by_name: ctx.blueprint is the same table for every call
-- of one VM until the blueprint changes, so a plan of many records expands it once per VM.
local cache = {}

local function types_by_name(bp, provider)
  if cache.bp ~= bp or cache.provider ~= provider then
    cache = { bp = bp, provider = provider, types = blueprint_types_by_name(bp, provider) }
  end
  return cache.types
end

--- Checks a planned record set: its values by type, its name inside its zone, and that a CNAME
--- is alone at its name. Returns the planned attributes with the id filled in.
function M.plan_record(ctx, provider, proposed)
  local rtype = proposed.type
  rdata.check(rtype, proposed.values, proposed.ttl)
  local zone, name = proposed.zone, proposed.name
  if not cairn.is_unknown(name) and not cairn.is_unknown(zone) then
    if name:sub(-1) ~= "." or zone:sub(-1) ~= "." then
      cairn.fail("record and zone names are absolute (end in a dot): '" .. name .. "' in '" ..
                 zone .. "'", { path = name:sub(-1) ~= "." and "name" or "zone",
                                hint = "write " .. names.absolute(name) })
    end
    local why = names.check_host(name, true)
    if why then cairn.fail(why, { path = "name" }) end
    if not names.under(name:lower(), zone:lower()) then
      cairn.fail("'" .. name .. "' is not in the zone '" .. zone .. "'",
                 { path = "name", hint = "a record's name ends with its zone's name" })
    end
    if rtype == "CNAME" and name:lower() == zone:lower() then
      cairn.fail("a zone's apex cannot be a CNAME: it holds the zone's SOA and NS records",
                 { path = "type", hint = "give the apex A/AAAA records instead" })
    end
    if ctx.blueprint ~= nil then
      local here = types_by_name(ctx.blueprint, provider)[name:lower()] or {}
      local others = {}
      for t in pairs(here) do
        if t ~= "CNAME" then others[#others + 1] = t end
      end
      table.sort(others)
      if #others > 0 and (rtype == "CNAME" or here.CNAME) then
        cairn.fail("'" .. name .. "' has a CNAME and also " .. table.concat(others, ", ") ..
                   " records; a name with a CNAME can have no other record",
                   { path = "type", hint = "point the other records at the CNAME's target, " ..
                                            "or replace the CNAME by A/AAAA records" })
      end
    end
  end
  local planned = copy(proposed)
  if cairn.is_unknown(name) then
    planned.id = cairn.unknown
  else
    planned.id = M.record_id(name, rtype)
  end
  return planned
end

--- Checks a planned zone and fills in its id.
function M.plan_zone(ctx, proposed)
  local name = proposed.name
  if name:sub(-1) ~= "." then
    cairn.fail("a zone name is absolute (ends in a dot): '" .. name .. "'",
               { path = "name", hint = "write " .. names.absolute(name) })
  end
  local why = names.check_host(name, false)
  if why then cairn.fail(why, { path = "name" }) end
  for i, ns in ipairs(proposed.nameservers or {}) do
    if not cairn.is_unknown(ns) then
      local bad = names.check_host(ns, false)
      if bad then cairn.fail("name server: " .. bad, { path = "nameservers[" .. (i - 1) .. "]" }) end
    end
  end
  local planned = copy(proposed)
  planned.id = name
  return planned
end

--- The record sets of a zone that the blueprint does not name, as a sorted list of
--- "name TYPE" strings. `live` lists { name =, type = } of what the server holds; the zone's
--- own SOA and apex NS record sets are never counted.
function M.other_records(ctx, provider, zone, live)
  local named = ctx.blueprint and expand.named(ctx.blueprint, provider, zone) or {}
  local out, seen = json.array(), {}
  for _, rr in ipairs(live) do
    local name = names.absolute(rr.name)
    local key = name .. " " .. rr.type
    local own = rr.type == "SOA" or (rr.type == "NS" and name == zone)
    if not own and not named[key] and not seen[key] then
      out[#out + 1] = key
      seen[key] = true
    end
  end
  table.sort(out)
  return out
end

--- The "name TYPE" entries of `prior` that `planned` no longer lists: what an update of an
--- authoritative zone deletes (exactly what the plan showed).
function M.records_to_delete(prior, planned)
  if not planned.authoritative or type(planned.other_records) ~= "table" then return {} end
  local keep = {}
  for _, k in ipairs(planned.other_records) do keep[k] = true end
  local out = {}
  for _, k in ipairs(prior.other_records or {}) do
    if not keep[k] then
      local name, rtype = k:match("^(%S+) (%S+)$")
      if name then out[#out + 1] = { name = name, type = rtype } end
    end
  end
  return out
end

return M
