-- The DNS providers' shared library: record checks by type, canonical spellings, TXT splitting,
-- and the blueprint's zones with the records its apps imply.
local rdata = require("lib.dns.rdata")
local names = require("lib.dns.names")
local expand = require("lib.dns.expand")

local function fails(fn, text)
  return check.error(fn, text)
end

local function by_key(zone)
  local out = {}
  for _, r in ipairs(zone.records) do out[r.name .. " " .. r.type] = r end
  return out
end

return {
  addresses_are_checked_by_type = function()
    rdata.check("A", { "192.0.2.1", "10.0.0.255" }, 300)
    rdata.check("AAAA", { "2001:db8::1", "::1", "fe80::1:2:3:4", "::ffff:192.0.2.1" }, 300)
    local err = fails(function() rdata.check("A", { "192.0.2.1", "192.0.2.300" }, 300) end,
                      "not an IPv4 address")
    check.eq(err.path, "values[1]")
    fails(function() rdata.check("A", { "2001:db8::1" }, 300) end, "not an IPv4")
    fails(function() rdata.check("A", { "01.2.3.4" }, 300) end, "not an IPv4")
    fails(function() rdata.check("AAAA", { "2001:db8:::1" }, 300) end, "not an IPv6")
    fails(function() rdata.check("AAAA", { "1:2:3:4:5:6:7:8:9" }, 300) end, "not an IPv6")
    fails(function() rdata.check("AAAA", { "192.0.2.1" }, 300) end, "not an IPv6")
  end,

  mx_needs_a_priority_and_a_host_name = function()
    rdata.check("MX", { "10 mail.example.org.", "20 backup.example.org" }, 3600)
    local err = fails(function() rdata.check("MX", { "mail.example.org." }, 3600) end,
                      "<priority> <host>")
    check.contains(err.hint, "priority")
    fails(function() rdata.check("MX", { "70000 mail.example.org." }, 3600) end, "<priority>")
    fails(function() rdata.check("MX", { "10 192.0.2.1" }, 3600) end, "not an address")
    fails(function() rdata.check("MX", { "10 mail..example.org" }, 3600) end, "empty label")
  end,

  txt_quoting_and_chunks = function()
    rdata.check("TXT", { "v=spf1 mx -all", string.rep("x", 600) }, 3600)
    rdata.check("TXT", { '"part one" "part two"' }, 3600)
    local err = fails(function() rdata.check("TXT", { '"' .. string.rep("y", 256) .. '"' }, 3600) end,
                      "at most 255")
    check.contains(err.hint, "split")
    fails(function() rdata.check("TXT", { '"never closed' }, 3600) end, "never closed")
    fails(function() rdata.check("TXT", { '"a" b' }, 3600) end, "outside double quotes")
    -- Unquoted text is split into 255-byte strings and quoted, with quotes escaped.
    local long = string.rep("a", 255) .. "bc"
    check.eq(rdata.txt_quoted(long), '"' .. string.rep("a", 255) .. '" "bc"')
    check.eq(rdata.txt_quoted('say "hi"'), '"say \\"hi\\""')
    check.eq(rdata.txt_text('"say \\"hi\\"" " there"'), 'say "hi" there')
  end,

  cname_has_one_value_and_ttl_has_bounds = function()
    fails(function() rdata.check("CNAME", { "a.example.org.", "b.example.org." }, 60) end,
          "exactly one value")
    local err = fails(function() rdata.check("A", { "192.0.2.1" }, 0) end, "out of range")
    check.eq(err.path, "ttl")
    fails(function() rdata.check("A", { "192.0.2.1" }, rdata.MAX_TTL + 1) end, "out of range")
    fails(function() rdata.check("A", { "192.0.2.1" }, 1.5) end, "out of range")
    fails(function() rdata.check("A", { "192.0.2.1", "192.0.2.1" }, 60) end, "given twice")
    err = fails(function() rdata.check("PTR", { "x." }, 60) end, "unsupported record type")
    check.eq(err.path, "type")
  end,

  unknown_values_wait_for_apply = function()
    rdata.check("A", { cairn.unknown }, 300)
    rdata.check("A", cairn.unknown, 300)
  end,

  spellings_of_one_value_are_the_same = function()
    check.eq(rdata.canonical("AAAA", "2001:DB8:0::1"), rdata.canonical("AAAA", "2001:db8::1"))
    check.eq(rdata.canonical("MX", "10 Mail.Example.org"), "10 mail.example.org.")
    check.eq(rdata.keep_spelling("AAAA", { "2001:DB8::1" }, { "2001:db8::1" }), { "2001:DB8::1" })
    check.eq(rdata.keep_spelling("A", { "192.0.2.1" }, { "192.0.2.2" }), { "192.0.2.2" })
    check.eq(rdata.keep_spelling("A", { "192.0.2.1", "192.0.2.2" }, { "192.0.2.2", "192.0.2.1" }),
             { "192.0.2.1", "192.0.2.2" })
  end,

  names = function()
    check.eq(names.in_zone("@", "example.org"), "example.org.")
    check.eq(names.in_zone("WWW", "example.org."), "www.example.org.")
    check.eq(names.in_zone("other.net.", "example.org"), "other.net.")
    check.eq(names.zone_of("a.home.example.org.", { "example.org.", "home.example.org." }),
             "home.example.org.")
    check.eq(names.zone_of("example.com.", { "example.org." }), nil)
    check.eq(names.resource_name("*.example.org.", "A"), "wildcard_example_org_A")
    check.eq(names.check_host("-bad.example.org", false), "the label '-bad' starts or ends with '-'")
    check.eq(names.check_host("*.example.org", true), nil)
  end,

  exposed_hosts_and_mail_imply_records = function()
    local bp = {
      network = { virtual_ip = "192.168.10.10", ingress = { mode = "public" } },
      dns = {
        provider = "powerdns", public_address = "203.0.113.10",
        zones = {
          { name = "example.org", authoritative = true,
            records = { { name = "cloud", type = "CNAME", value = "example.org." },
                        { name = "@", type = "MX", value = "mx.other.net.", priority = 5 } } },
          { name = "home.example.org" },
        },
      },
      apps = {
        { name = "mail", expose = { { host = "mail.example.org", port = 25 },
                                    { host = "mail.example.org", port = 993 } } },
        { name = "cloud", expose = { { host = "cloud.example.org", port = 80 } } },
        { name = "media", expose = { { host = "media.home.example.org", port = 80, mode = "local" } } },
        { name = "tor", expose = { { host = "x.example.org", port = 80, mode = "tor" } } },
        { name = "away", expose = { { host = "www.example.com", port = 80 } } },
      },
    }
    local zones = expand.zones(bp)
    local org, home = by_key(zones[1]), by_key(zones[2])
    check.eq(org["mail.example.org. A"].values, { "203.0.113.10" })
    check.eq(org["mail.example.org. A"].attribute_at.values, "dns.public_address")
    check.eq(org["mail.example.org. A"].at, "apps[0].expose[0]")
    check.eq(org["cloud.example.org. A"], nil)                -- the CNAME the user wrote wins
    check.eq(org["example.org. MX"].values, { "5 mx.other.net." })  -- and so does their MX
    check.eq(org["example.org. TXT"].values, { "v=spf1 mx -all" })
    check.eq(org["x.example.org. A"], nil)
    check.eq(home["media.home.example.org. A"].values, { "192.168.10.10" })
    check.eq(home["media.home.example.org. A"].attribute_at.values, "network.virtual_ip")
    check.eq(org["cloud.example.org. CNAME"].attribute_at.values, "dns.zones[0].records[0].value")

    bp.dns.proxy_host = "gw.example.org"
    bp.dns.public_address6 = "2001:db8::10"
    org = by_key(expand.zones(bp)[1])
    check.eq(org["gw.example.org. A"].values, { "203.0.113.10" })
    check.eq(org["gw.example.org. AAAA"].values, { "2001:db8::10" })
    check.eq(org["gw.example.org. A"].attribute_at.name, "dns.proxy_host")

    local resources = expand.resources(bp, "powerdns")
    check.eq(resources[1].type, "zone")
    check.eq(resources[1].attributes.other_records, {})
    check.eq(resources[1].attributes.nameservers, { "ns1.example.org." })
    check.eq(#expand.resources(bp, "pektin"), 0)
  end,
}
