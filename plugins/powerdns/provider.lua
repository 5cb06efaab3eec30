-- The `powerdns` provider: zones and record sets (RRsets) on a PowerDNS Authoritative server
-- through its HTTP API. Record sets are written with PATCH (changetype REPLACE or DELETE); a
-- refresh reads each zone with one GET, whatever the number of record sets in it. The blueprint's
-- `dns:` section (with dns.provider: powerdns) expands into these resources (lib/dns/expand.lua).
local api = require("api")
local json = require("host.json")
local names = require("lib.dns.names")
local rdata = require("lib.dns.rdata")
local expand = require("lib.dns.expand")
local shared = require("lib.dns.resources")

local NAME = "powerdns"

local function need_client(ctx)
  local c = ctx.client
  if c == nil or c.base == nil or c.api_key == nil then
    cairn.fail("the PowerDNS API is not configured", {
      hint = "set providers.powerdns.api_url (e.g. http://127.0.0.1:8081) and api_key " ..
             "(e.g. ${secrets.pdns_api_key})",
    })
  end
  return c
end

-- The RRset of `name`/`rtype` in a zone document, or nil.
local function find_rrset(doc, name, rtype)
  for _, rr in ipairs(doc.rrsets or {}) do
    if rr.type == rtype and names.absolute(rr.name) == name then return rr end
  end
  return nil
end

-- The state of a record set from its RRset (nil when absent), in the spelling `prior` used.
local function record_state(prior, zone, rr)
  if rr == nil then return nil end
  local live = {}
  for _, r in ipairs(rr.records or {}) do
    if not r.disabled then
      live[#live + 1] = rr.type == "TXT" and rdata.txt_text(r.content) or r.content
    end
  end
  if #live == 0 then return nil end
  local name = names.absolute(rr.name)
  return {
    id = shared.record_id(name, rr.type), zone = zone, name = prior and prior.name or name,
    type = rr.type, ttl = rr.ttl, values = rdata.keep_spelling(rr.type, prior and prior.values, live),
  }
end

local function nameservers_of(doc, zone)
  local out = json.array()
  local rr = find_rrset(doc, zone, "NS")
  for _, r in ipairs(rr and rr.records or {}) do out[#out + 1] = r.content end
  table.sort(out)
  return out
end

local function zone_state(ctx, prior, doc)
  if doc == nil then return nil end
  local zone = names.absolute(doc.name)
  local live = {}
  for _, rr in ipairs(doc.rrsets or {}) do live[#live + 1] = { name = rr.name, type = rr.type } end
  local ns = nameservers_of(doc, zone)
  return {
    id = zone, name = prior and prior.name or zone,
    nameservers = rdata.keep_spelling("NS", prior and prior.nameservers, ns),
    authoritative = prior and prior.authoritative or false,
    other_records = shared.other_records(ctx, NAME, zone, live),
  }
end

-- Writes a record set with one PATCH. PowerDNS answers 204 without the result, and reading the
-- zone back would cost a whole zone per record set; the next refresh reads it.
local function write_record(ctx, planned)
  local c = need_client(ctx)
  local records = {}
  for i, v in ipairs(planned.values) do
    records[i] = { content = rdata.to_server(planned.type, v), disabled = false }
  end
  api.patch(c, planned.zone, { {
    name = planned.name, type = planned.type, ttl = planned.ttl, changetype = "REPLACE",
    records = records,
  } }, "writing " .. planned.name .. " " .. planned.type)
  return {
    id = shared.record_id(names.absolute(planned.name), planned.type), zone = planned.zone,
    name = planned.name, type = planned.type, ttl = planned.ttl, values = planned.values,
  }
end

local zone = {
  description = "A DNS zone on the PowerDNS server (kind Native unless providers.powerdns.kind says otherwise).",
  schema = shared.zone_schema,
  plan = function(ctx, prior, proposed) return shared.plan_zone(ctx, proposed) end,

  read = function(ctx, state)
    return zone_state(ctx, state, api.get_zone(need_client(ctx), state.id))
  end,

  create = function(ctx, planned)
    local c = need_client(ctx)
    local ns = {}
    for i, n in ipairs(planned.nameservers or { "ns1." .. planned.name }) do ns[i] = names.absolute(n) end
    if api.get_zone(c, planned.name) ~= nil then
      cairn.fail("zone " .. planned.name .. " already exists on the PowerDNS server", {
        hint = "adopt it with: cairn import " .. ctx.address .. " " .. planned.name,
      })
    end
    api.create_zone(c, planned.name, c.kind, ns)
    return zone_state(ctx, planned, api.get_zone(c, planned.name))
  end,

  update = function(ctx, prior, planned)
    local c = need_client(ctx)
    local changes = {}
    if planned.nameservers ~= nil then
      local records = {}
      for i, ns in ipairs(planned.nameservers) do records[i] = { content = names.absolute(ns), disabled = false } end
      changes[#changes + 1] = { name = planned.name, type = "NS", ttl = 3600, changetype = "REPLACE",
                                records = records }
    end
    for _, rr in ipairs(shared.records_to_delete(prior, planned)) do
      changes[#changes + 1] = { name = rr.name, type = rr.type, changetype = "DELETE" }
    end
    if #changes > 0 then api.patch(c, planned.name, changes, "updating zone " .. planned.name) end
    return zone_state(ctx, planned, api.get_zone(c, planned.name))
  end,

  delete = function(ctx, prior)
    local c = need_client(ctx)
    local doc = api.get_zone(c, prior.id)
    if doc == nil then return end
    local state = zone_state(ctx, prior, doc)
    if not prior.authoritative and #state.other_records > 0 then
      cairn.fail("zone " .. prior.id .. " still holds record sets cairn does not manage: " ..
                 table.concat(state.other_records, ", "), {
        hint = "the zone is shared (authoritative: false); delete them by hand first, or set " ..
               "authoritative: true to let cairn delete the whole zone",
      })
    end
    api.delete_zone(c, prior.id)
  end,

  import = function(ctx, id)
    local zname = names.absolute(id)
    local state = zone_state(ctx, nil, api.get_zone(need_client(ctx), zname))
    if state == nil then
      cairn.fail("there is no zone '" .. zname .. "' on the PowerDNS server",
                 { hint = "the id of a powerdns.zone is its name, e.g. example.org." })
    end
    return state
  end,
}

local record = {
  description = "A record set (all records of one name and type) in a zone on the PowerDNS server.",
  schema = shared.record_schema,
  plan = function(ctx, prior, proposed) return shared.plan_record(ctx, NAME, proposed) end,

  read = function(ctx, state)
    local doc = api.get_zone(need_client(ctx), state.zone)
    if doc == nil then return nil end
    local name, rtype = shared.split_record_id(state.id)
    return record_state(state, state.zone, find_rrset(doc, name, rtype))
  end,

  -- One GET per zone, whatever the number of record sets in it.
  read_all = function(ctx, states)
    local c = need_client(ctx)
    local docs, found = {}, {}
    for _, st in ipairs(states) do
      if docs[st.zone] == nil then docs[st.zone] = api.get_zone(c, st.zone) or false end
      local doc = docs[st.zone]
      if doc then
        local name, rtype = shared.split_record_id(st.id)
        found[st.id] = record_state(st, st.zone, find_rrset(doc, name, rtype))
      end
    end
    return found
  end,

  create = function(ctx, planned)
    rdata.check(planned.type, planned.values, planned.ttl)  -- values that were unknown at plan
    return write_record(ctx, planned)
  end,
  update = function(ctx, prior, planned)
    rdata.check(planned.type, planned.values, planned.ttl)
    return write_record(ctx, planned)
  end,

  delete = function(ctx, prior)
    local c = need_client(ctx)
    local name, rtype = shared.split_record_id(prior.id)
    if api.get_zone(c, prior.zone) == nil then return end  -- the zone, and so the record, is gone
    api.patch(c, prior.zone, { { name = name, type = rtype, changetype = "DELETE" } },
              "deleting " .. name .. " " .. rtype)
  end,

  import = function(ctx, id)
    local c = need_client(ctx)
    local name, rtype = shared.split_record_id(id)
    if name == nil then
      cairn.fail("'" .. tostring(id) .. "' is not a record set id",
                 { hint = "the id of a powerdns.record is <name>/<type>, e.g. www.example.org./A" })
    end
    name = names.absolute(name)
    local zname = names.zone_of(name, api.list_zones(c))
    local doc = zname and api.get_zone(c, zname)
    local state = doc and record_state(nil, zname, find_rrset(doc, name, rtype))
    if state == nil then
      cairn.fail("there is no " .. rtype .. " record set at " .. name .. " on the PowerDNS server",
                 { hint = "the id of a powerdns.record is <name>/<type>, e.g. www.example.org./A" })
    end
    return state
  end,
}

return {
  name = NAME,
  version = "1.0.0",
  api = 1,
  description = "DNS zones and records on a PowerDNS Authoritative server, through its HTTP API.",
  config = {
    api_url = { type = "string",
                description = "Base URL of the API (the server's webserver), e.g. http://127.0.0.1:8081." },
    api_key = { type = "string", sensitive = true,
                description = "The server's api-key, e.g. ${secrets.pdns_api_key}." },
    server_id = { type = "string", default = "localhost", description = "Server id in API paths." },
    kind = { type = "string", default = "Native",
             description = "Kind of the zones cairn creates: Native, Master or Slave." },
    ca_file = { type = "string", description = "CA certificate that signed an https API's certificate." },
  },
  configure = function(config)
    -- `cairn validate` runs without secret values: nothing to connect to then.
    if config.api_url == nil or cairn.is_unknown(config.api_url) or cairn.is_unknown(config.api_key) then
      return {}
    end
    return {
      base = config.api_url:gsub("/+$", ""), api_key = config.api_key,
      server_id = config.server_id, kind = config.kind, ca_file = config.ca_file,
    }
  end,
  expand = function(bp) return expand.resources(bp, NAME) end,
  resources = { zone = zone, record = record },
}
