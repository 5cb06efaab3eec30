-- The blueprint's DNS as zones and record sets: the `dns:` section, plus the records the rest of
-- the blueprint implies, so that a host name is written once:
--
--   * every host an app exposes gets an A record (and AAAA) at the address its exposure mode is
--     reached at: `public` at dns.public_address (the proxy's public address, or a reference to
--     the resource that has it), `local` at dns.local_address or network.virtual_ip;
--   * a host exposing port 25 receives the zone's mail: an MX at the zone apex naming it, and an
--     SPF TXT record "v=spf1 mx -all";
--   * dns.proxy_host, the proxy's own name, gets the public address;
--
-- unless the zone already has a record of that name and type (what the user writes wins).
-- Both DNS providers emit their resources from this model, so they plan the same records.
local json = require("host.json")
local names = require("lib.dns.names")

local M = {}

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

-- The values of one blueprint record: `value` or `values`, MX/SRV priority put in front.
local function record_values(rec)
  local raw = rec.values or { rec.value }
  local out = {}
  for i, v in ipairs(raw) do
    v = tostring(v)
    if (rec.type == "MX" or rec.type == "SRV") and rec.priority ~= nil then
      v = tostring(rec.priority) .. " " .. v
    end
    out[i] = v
  end
  return out
end

--- The zones of the blueprint: a list of { name, authoritative, path, records }, each record
--- { name, type, ttl, values, at, attribute_at, implied }. Names are absolute.
function M.zones(bp)
  local dns = bp.dns
  if type(dns) ~= "table" or type(dns.zones) ~= "table" then return {} end
  local zones, by_name, zone_names = {}, {}, {}
  for zi, z in ipairs(dns.zones) do
    local zpath = "dns.zones[" .. (zi - 1) .. "]"
    local zone = {
      name = names.absolute(z.name), authoritative = z.authoritative == true, path = zpath,
      records = {}, index = {},
    }
    zones[#zones + 1] = zone
    by_name[zone.name] = zone
    zone_names[#zone_names + 1] = zone.name
    for ri, rec in ipairs(z.records or {}) do
      local rpath = zpath .. ".records[" .. (ri - 1) .. "]"
      local r = {
        name = names.in_zone(rec.name, zone.name), type = rec.type, ttl = rec.ttl or 3600,
        values = record_values(rec), at = rpath,
        attribute_at = { name = rpath .. ".name", type = rpath .. ".type",
                         values = rpath .. (rec.values and ".values" or ".value"),
                         ttl = rec.ttl and (rpath .. ".ttl") or nil },
      }
      local key = r.name .. " " .. r.type
      if zone.index[key] == nil then
        zone.records[#zone.records + 1] = r
        zone.index[key] = r
      else  -- a second entry of one name and type adds values to the same record set
        local into = zone.index[key]
        if rec.ttl ~= nil and into.attribute_at.ttl == nil then  -- the TTL one entry writes
          into.ttl, into.attribute_at.ttl = rec.ttl, rpath .. ".ttl"
        end
        for vi, v in ipairs(r.values) do
          into.values[#into.values + 1] = v
          into.attribute_at["values[" .. (#into.values - 1) .. "]"] =
            rec.values and (rpath .. ".values[" .. (vi - 1) .. "]") or (rpath .. ".value")
        end
      end
    end
  end

  local function implied(host, rtype, values, at, values_at, name_at)
    local zname = names.zone_of(host, zone_names)
    if zname == nil then return end
    local zone = by_name[zname]
    local key = host .. " " .. rtype
    if zone.index[key] ~= nil or (rtype ~= "MX" and rtype ~= "TXT" and zone.index[host .. " CNAME"]) then
      return
    end
    local r = { name = host, type = rtype, ttl = dns.ttl or 3600, values = values, at = at,
                attribute_at = { name = name_at or (at .. ".host"), values = values_at },
                implied = true }
    zone.records[#zone.records + 1] = r
    zone.index[key] = r
  end

  local network = bp.network or {}
  local default_mode = (network.ingress and network.ingress.mode) or "local"
  local addresses = {
    public = { A = dns.public_address, AAAA = dns.public_address6 },
    ["local"] = { A = dns.local_address or network.virtual_ip },
  }
  local address_at = {
    public = { A = "dns.public_address", AAAA = "dns.public_address6" },
    ["local"] = { A = dns.local_address and "dns.local_address" or "network.virtual_ip" },
  }
  for ai, app in ipairs(bp.apps or {}) do
    for ei, e in ipairs(app.expose or {}) do
      local host = names.absolute(e.host)
      local at = "apps[" .. (ai - 1) .. "].expose[" .. (ei - 1) .. "]"
      local mode = e.mode or default_mode
      for _, rtype in ipairs({ "A", "AAAA" }) do
        local addr = addresses[mode] and addresses[mode][rtype]
        if addr ~= nil then
          implied(host, rtype, { addr }, at, address_at[mode][rtype])
        elseif rtype == "A" and addresses[mode] ~= nil then
          -- No address to point at: a record set without values, which the plan refuses at
          -- the exposed host, unless the zone has a record of its own there.
          implied(host, rtype, json.array(), at, at .. ".host")
        end
      end
      if e.port == 25 then
        local zname = names.zone_of(host, zone_names)
        if zname ~= nil then
          implied(zname, "MX", { "10 " .. host }, at, at .. ".host")
          implied(zname, "TXT", { "v=spf1 mx -all" }, at, at .. ".host")
        end
      end
    end
  end
  -- The proxy's own name, when the blueprint gives it one.
  if dns.proxy_host ~= nil then
    local host = names.absolute(dns.proxy_host)
    for _, rtype in ipairs({ "A", "AAAA" }) do
      local addr = addresses.public[rtype]
      if addr ~= nil then
        implied(host, rtype, { addr }, "dns.proxy_host", address_at.public[rtype], "dns.proxy_host")
      end
    end
  end
  for _, zone in ipairs(zones) do zone.index = nil end
  return zones
end

--- Record sets named by the blueprint's `resources:` section for `provider`, as "name TYPE"
--- keys per zone (absolute names); values with references are skipped.
function M.declared(bp, provider)
  local out = {}
  local prefix = provider .. ".record."
  for _, addr in ipairs(sorted_keys(bp.resources or {})) do
    local r = bp.resources[addr]
    if addr:sub(1, #prefix) == prefix and type(r) == "table" and type(r.zone) == "string" and
       type(r.name) == "string" and type(r.type) == "string" then
      local zone = names.absolute(r.zone)
      out[zone] = out[zone] or {}
      out[zone][names.absolute(r.name) .. " " .. r.type] = true
    end
  end
  return out
end

--- Every record set the blueprint names in `zone` for `provider`: a set of "name TYPE" keys.
function M.named(bp, provider, zone)
  local set = {}
  for _, z in ipairs(M.zones(bp)) do
    if z.name == zone then
      for _, r in ipairs(z.records) do set[r.name .. " " .. r.type] = true end
    end
  end
  for key in pairs(M.declared(bp, provider)[zone] or {}) do set[key] = true end
  return set
end

--- The zones and record sets of the blueprint as resources of `provider`, when dns.provider
--- names it (an empty list otherwise).
function M.resources(bp, provider)
  local out = {}
  if type(bp.dns) ~= "table" or bp.dns.provider ~= provider then return out end
  local nameservers = bp.dns.nameservers
  for _, zone in ipairs(M.zones(bp)) do
    local zres = names.resource_name(zone.name)
    local ns = {}
    for i, n in ipairs(nameservers or { "ns1." .. zone.name }) do ns[i] = names.absolute(n) end
    out[#out + 1] = {
      type = "zone", name = zres, at = zone.path,
      attribute_at = { name = zone.path .. ".name", authoritative = zone.path .. ".authoritative" },
      attributes = {
        name = zone.name, nameservers = ns, authoritative = zone.authoritative,
        -- An authoritative zone holds nothing else: what is there is planned for deletion.
        other_records = zone.authoritative and json.array() or nil,
      },
    }
    for _, r in ipairs(zone.records) do
      out[#out + 1] = {
        type = "record", name = names.resource_name(r.name, r.type), at = r.at,
        attribute_at = r.attribute_at,
        attributes = { zone = zone.name, name = r.name, type = r.type, ttl = r.ttl,
                       values = r.values },
        depends_on = { provider .. ".zone." .. zres },
      }
    end
  end
  return out
end

return M
