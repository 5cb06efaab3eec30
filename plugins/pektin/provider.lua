-- The `pektin` provider: zones and record sets on a Pektin DNS server through pektin-api. A
-- zone is its SOA record (and apex NS records); a record set is one pektin record (name, type,
-- ttl, rr_set). A refresh reads all zones in one /get-zone-records call. The blueprint's `dns:`
-- section (with dns.provider: pektin) expands into these resources (lib/dns/expand.lua).
local api = require("api")
local json = require("host.json")
local names = require("lib.dns.names")
local rdata = require("lib.dns.rdata")
local expand = require("lib.dns.expand")
local shared = require("lib.dns.resources")

local NAME = "pektin"

local function need_client(ctx)
  local c = ctx.client
  if c == nil or c.base == nil then
    cairn.fail("pektin-api is not configured" .. (c and c.why and (": " .. c.why) or ""), {
      hint = "set providers.pektin.endpoint, username and confidant_password or client_token",
    })
  end
  return c
end

local function fields(v)
  local out = {}
  for f in v:gmatch("%S+") do out[#out + 1] = f end
  return out
end

-- A value in zone-file form as a pektin rr_set element.
local function to_rr(rtype, v)
  local s = rdata.to_server(rtype, v)
  if rtype == "MX" then
    local f = fields(s)
    return { preference = tonumber(f[1]), exchange = f[2] }
  elseif rtype == "SRV" then
    local f = fields(s)
    return { priority = tonumber(f[1]), weight = tonumber(f[2]), port = tonumber(f[3]), target = f[4] }
  elseif rtype == "CAA" then
    local flags, tag, value = v:match("^(%d+)%s+(%w+)%s+\"(.*)\"$")
    return { issuer_critical = tonumber(flags) >= 128, tag = tag:lower(), value = value }
  elseif rtype == "TXT" then
    return { value = rdata.txt_text(v) }
  end
  return { value = s }
end

-- A pektin rr_set element in zone-file form.
local function from_rr(rtype, rr)
  if rtype == "MX" then return tostring(rr.preference) .. " " .. tostring(rr.exchange) end
  if rtype == "SRV" then
    return table.concat({ tostring(rr.priority), tostring(rr.weight), tostring(rr.port),
                          tostring(rr.target) }, " ")
  end
  if rtype == "CAA" then
    return (rr.issuer_critical and "128" or "0") .. " " .. tostring(rr.tag) .. " \"" ..
           tostring(rr.value) .. "\""
  end
  return tostring(rr.value)
end

local function find(records, name, rtype)
  for _, r in ipairs(records or {}) do
    if r.rr_type == rtype and names.absolute(r.name) == name then return r end
  end
  return nil
end

local function record_state(prior, zone, rec)
  if rec == nil then return nil end
  local live = {}
  for i, rr in ipairs(rec.rr_set or {}) do live[i] = from_rr(rec.rr_type, rr) end
  local name = names.absolute(rec.name)
  return {
    id = shared.record_id(name, rec.rr_type), zone = zone, name = prior and prior.name or name,
    type = rec.rr_type, ttl = rec.ttl,
    values = rdata.keep_spelling(rec.rr_type, prior and prior.values, live),
  }
end

local function zone_state(ctx, prior, zone, records)
  if records == nil or find(records, zone, "SOA") == nil then return nil end
  local live, ns = {}, json.array()
  for _, r in ipairs(records) do live[#live + 1] = { name = r.name, type = r.rr_type } end
  local ns_rec = find(records, zone, "NS")
  for _, rr in ipairs(ns_rec and ns_rec.rr_set or {}) do ns[#ns + 1] = rr.value end
  table.sort(ns)
  return {
    id = zone, name = prior and prior.name or zone,
    nameservers = rdata.keep_spelling("NS", prior and prior.nameservers, ns),
    authoritative = prior and prior.authoritative or false,
    other_records = shared.other_records(ctx, NAME, zone, live),
  }
end

local function read_zone(ctx, prior, zone)
  local c = need_client(ctx)
  return zone_state(ctx, prior, zone, api.zone_records(c, { zone })[zone])
end

local function ns_record(zone, nameservers)
  local set = {}
  for i, ns in ipairs(nameservers) do set[i] = { value = names.absolute(ns) } end
  return { name = zone, rr_type = "NS", ttl = 3600, rr_set = set }
end

local function write_record(ctx, planned)
  local c = need_client(ctx)
  local set = {}
  for i, v in ipairs(planned.values) do set[i] = to_rr(planned.type, v) end
  local name = names.absolute(planned.name)
  api.set(c, { { name = name, rr_type = planned.type, ttl = planned.ttl, rr_set = set } },
          "writing " .. name .. " " .. planned.type)
  return record_state(planned, planned.zone, api.get(c, name, planned.type))
end

local zone = {
  description = "A DNS zone on the Pektin server: its SOA record and apex NS records.",
  schema = shared.zone_schema,
  plan = function(ctx, prior, proposed) return shared.plan_zone(ctx, proposed) end,
  read = function(ctx, state) return read_zone(ctx, state, state.id) end,

  -- Every zone in one /get-zone-records call.
  read_all = function(ctx, states)
    local zones = {}
    for i, st in ipairs(states) do zones[i] = st.id end
    local by_zone = api.zone_records(need_client(ctx), zones)
    local found = {}
    for _, st in ipairs(states) do found[st.id] = zone_state(ctx, st, st.id, by_zone[st.id]) end
    return found
  end,

  create = function(ctx, planned)
    local c = need_client(ctx)
    local z = planned.name
    if api.zone_records(c, { z })[z] ~= nil then
      cairn.fail("zone " .. z .. " already exists on the Pektin server",
                 { hint = "adopt it with: cairn import " .. ctx.address .. " " .. z })
    end
    local ns = planned.nameservers or { "ns1." .. z }
    local t = os.date("!*t")
    local serial = ((t.year * 100 + t.month) * 100 + t.day) * 100 + 1
    api.set(c, {
      { name = z, rr_type = "SOA", ttl = 3600, rr_set = { {
        mname = names.absolute(ns[1]), rname = "hostmaster." .. z, serial = serial,
        refresh = 10800, retry = 3600, expire = 604800, minimum = 3600,
      } } },
      ns_record(z, ns),
    }, "creating zone " .. z)
    return read_zone(ctx, planned, z)
  end,

  update = function(ctx, prior, planned)
    local c = need_client(ctx)
    if planned.nameservers ~= nil then
      api.set(c, { ns_record(planned.name, planned.nameservers) }, "updating zone " .. planned.name)
    end
    local gone = {}
    for _, rr in ipairs(shared.records_to_delete(prior, planned)) do
      gone[#gone + 1] = { name = rr.name, rr_type = rr.type }
    end
    api.delete(c, gone, "deleting records of zone " .. planned.name)
    return read_zone(ctx, planned, planned.name)
  end,

  delete = function(ctx, prior)
    local c = need_client(ctx)
    local records = api.zone_records(c, { prior.id })[prior.id]
    local state = zone_state(ctx, prior, prior.id, records)
    if state == nil then return end
    if not prior.authoritative and #state.other_records > 0 then
      cairn.fail("zone " .. prior.id .. " still holds record sets cairn does not manage: " ..
                 table.concat(state.other_records, ", "), {
        hint = "the zone is shared (authoritative: false); delete them by hand first, or set " ..
               "authoritative: true to let cairn delete the whole zone",
      })
    end
    -- pektin-api deletes a SOA only together with every other record of its zone.
    local ids = {}
    for _, r in ipairs(records) do ids[#ids + 1] = { name = r.name, rr_type = r.rr_type } end
    api.delete(c, ids, "deleting zone " .. prior.id)
  end,

  import = function(ctx, id)
    local z = names.absolute(id)
    local state = read_zone(ctx, nil, z)
    if state == nil then
      cairn.fail("there is no zone '" .. z .. "' on the Pektin server",
                 { hint = "the id of a pektin.zone is its name, e.g. example.org." })
    end
    return state
  end,
}

-- pektin-api stores a CAA's flags as one bool (issuer_critical) and knows three tags only, so
-- any other value would be refused by the server, or read back different and drift forever.
local CAA_TAGS = { issue = true, issuewild = true, iodef = true }

local function check_caa(values)
  if cairn.is_unknown(values) then return end
  for i, v in ipairs(values) do
    local flags, tag = (cairn.is_unknown(v) and "" or v):match("^(%d+)%s+(%w+)")
    if flags and not ((flags == "0" or flags == "128") and CAA_TAGS[tag:lower()]) then
      cairn.fail("Pektin cannot store the CAA '" .. v .. "': its flags must be 0 or 128 and " ..
                 "its tag issue, issuewild or iodef", { path = "values[" .. (i - 1) .. "]",
                                         hint = "write it like 0 issue \"letsencrypt.org\"" })
    end
  end
end

local record = {
  description = "A record set (all records of one name and type) on the Pektin server.",
  schema = shared.record_schema,
  plan = function(ctx, prior, proposed)
    local planned = shared.plan_record(ctx, NAME, proposed)
    if proposed.type == "CAA" then check_caa(proposed.values) end
    return planned
  end,

  read = function(ctx, state)
    local name, rtype = shared.split_record_id(state.id)
    return record_state(state, state.zone, api.get(need_client(ctx), name, rtype))
  end,

  -- One /get-zone-records call for every zone of the refreshed record sets.
  read_all = function(ctx, states)
    local zones, seen = {}, {}
    for _, st in ipairs(states) do
      if not seen[st.zone] then
        seen[st.zone] = true
        zones[#zones + 1] = st.zone
      end
    end
    local by_zone = api.zone_records(need_client(ctx), zones)
    local found = {}
    for _, st in ipairs(states) do
      local name, rtype = shared.split_record_id(st.id)
      found[st.id] = record_state(st, st.zone, find(by_zone[st.zone], name, rtype))
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
    local name, rtype = shared.split_record_id(prior.id)
    api.delete(need_client(ctx), { { name = name, rr_type = rtype } }, "deleting " .. prior.id)
  end,

  import = function(ctx, id)
    local name, rtype = shared.split_record_id(id)
    local hint = "the id of a pektin.record is <name>/<type>, e.g. www.example.org./A"
    if name == nil then cairn.fail("'" .. tostring(id) .. "' is not a record set id", { hint = hint }) end
    name = names.absolute(name)
    local rec = api.get(need_client(ctx), name, rtype)
    if rec == nil then
      cairn.fail("there is no " .. rtype .. " record set at " .. name .. " on the Pektin server",
                 { hint = hint })
    end
    -- The zone is the longest parent name that has a SOA record.
    local zname = name
    while zname ~= nil and api.get(ctx.client, zname, "SOA") == nil do
      zname = zname:match("^[^.]+%.(.+)$")
    end
    return record_state(nil, zname or name, rec)
  end,
}

return {
  name = NAME,
  version = "1.0.0",
  api = 1,
  description = "DNS zones and records on a Pektin DNS server, through pektin-api.",
  config = {
    endpoint = { type = "string", description = "Base URL of pektin-api, e.g. https://pektin-api.example.org." },
    username = { type = "string", description = "The client's name (client_username)." },
    confidant_password = { type = "string", sensitive = true,
      description = "The client's confidant password (pektin-api's credential style)." },
    client_token = { type = "string", sensitive = true,
      description = "A Vault token for the client (the MOWS successor's credential style)." },
    perimeter_username = { type = "string",
      description = "User for HTTP Basic authentication at a reverse proxy in front of the API." },
    perimeter_password = { type = "string", sensitive = true,
      description = "Password for HTTP Basic authentication at the reverse proxy." },
    ca_file = { type = "string", description = "CA certificate that signed an https endpoint's certificate." },
  },
  configure = function(config)
    for _, k in ipairs({ "endpoint", "username", "confidant_password", "client_token", "perimeter_password" }) do
      if cairn.is_unknown(config[k]) then return {} end  -- `cairn validate`: no secret values
    end
    if config.endpoint == nil or config.username == nil then return {} end
    local c, why = api.client(config)
    return c or { why = why }
  end,
  expand = function(bp) return expand.resources(bp, NAME) end,
  resources = { zone = zone, record = record },
}
