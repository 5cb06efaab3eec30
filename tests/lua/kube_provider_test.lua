-- plugin: plugins/kubernetes
-- The kubernetes provider's pure parts: apps expansion, manifests, drift projection, CRD checks.
local provider = require("provider")
local apps = require("apps")
local manifest = require("manifest")
local workloads = require("workloads")
local crd = require("crd")
local json = require("host.json")

local function by_name(resources)
  local out = {}
  for _, r in ipairs(resources) do out[r.name] = r end
  return out
end

local BP = {
  network = { ingress = { mode = "public" }, egress = { mode = "local" } },
  apps = {
    { name = "db", image = "postgres:16", cpu = "500m", memory = "2Gi", replicas = 2,
      env = { PASSWORD = { secret = "db_pw" }, MODE = "fast", N = 3 },
      ports = { { name = "pg", port = 5432 } },
      volumes = { { name = "data", tier = "fast", size = "50Gi", mount = "/data" } },
      allow = { "web", "10.0.0.0/8" }, secrets = { "tls_key" } },
    { name = "web", image = "nginx", runtime = "kata", ports = { { name = "http", port = 80 } },
      expose = { { host = "a.example.org", port = 80 },
                 { host = "b.home.example.org", port = 80, mode = "local" } } },
    { name = "win", image = "registry/win:1", runtime = "vm", cpu = 2, memory = "4Gi",
      volumes = { { name = "disk", tier = "bulk", size = "100Gi", mount = "/d" } } },
  },
}

return {
  app_with_volumes_becomes_a_statefulset_in_its_own_namespace = function()
    local r = by_name(apps.expand(BP))
    local ns = r["db-namespace"].attributes.manifest
    check.eq(ns.metadata.name, "app-db")
    check.eq(ns.metadata.labels["cairn.io/isolation"], "default-deny")
    check.eq(ns.metadata.annotations["cairn.io/allow"], "web,10.0.0.0/8")
    local sts = r["db-workload"].attributes.manifest
    check.eq(sts.kind, "StatefulSet")
    check.eq(sts.metadata.namespace, "app-db")
    check.eq(sts.spec.replicas, 2)
    local claim = sts.spec.volumeClaimTemplates[1]
    check.eq(claim.spec.storageClassName, "fast")
    check.eq(claim.spec.resources.requests.storage, "50Gi")
    local c = sts.spec.template.spec.containers[1]
    check.eq(c.resources.limits, { cpu = "500m", memory = "2Gi" })
    check.eq(c.env[1], { name = "MODE", value = "fast" })
    check.eq(c.env[2], { name = "N", value = "3" })
    check.eq(c.env[3].valueFrom.secretKeyRef, { name = "db-env", key = "PASSWORD" })
    check.eq(r["db-workload"].depends_on,
             { "kubernetes.object.db-namespace", "kubernetes.object.db-env", "kubernetes.object.db-files" })
  end,

  secrets_come_from_references_in_a_sensitive_attribute = function()
    local r = by_name(apps.expand(BP))
    check.eq(r["db-env"].attributes.secret_data, { PASSWORD = "${secrets.db_pw}" })
    check.eq(r["db-env"].attributes.manifest.data, nil)
    check.eq(r["db-files"].attributes.secret_data, { tls_key = "${secrets.tls_key}" })
    check.eq(provider.resources.object.schema.secret_data.sensitive, true)
  end,

  quota_multiplies_by_replicas = function()
    local q = by_name(apps.expand(BP))["db-quota"].attributes.manifest
    check.eq(q.spec.hard["limits.cpu"], "1")
    check.eq(q.spec.hard["limits.memory"], "4Gi")
    check.eq(q.spec.hard.persistentvolumeclaims, "2")
  end,

  kata_deployment_service_and_one_ingress_per_mode = function()
    local r = by_name(apps.expand(BP))
    local dep = r["web-workload"].attributes.manifest
    check.eq(dep.kind, "Deployment")
    check.eq(dep.spec.template.spec.runtimeClassName, "kata")
    check.eq(r["web-service"].attributes.manifest.spec.ports[1],
             { name = "http", port = 80, targetPort = 80, protocol = "TCP" })
    local pub = r["web-route-public"].attributes.manifest
    check.eq(pub.spec.ingressClassName, "cairn-public")
    check.eq(pub.spec.rules[1].host, "a.example.org")
    check.eq(pub.spec.rules[1].http.paths[1].backend.service, { name = "web", port = { number = 80 } })
    check.eq(r["web-route-local"].attributes.manifest.spec.rules[1].host, "b.home.example.org")
  end,

  vm_runtime_becomes_a_kubevirt_virtual_machine_with_pvcs = function()
    local r = by_name(apps.expand(BP))
    check.eq(r["win-workload"], nil)
    local vm = r["win-vm"].attributes.manifest
    check.eq(vm.apiVersion, "kubevirt.io/v1")
    check.eq(vm.kind, "VirtualMachine")
    check.eq(vm.spec.template.spec.domain.cpu.cores, 2)
    check.eq(vm.spec.template.spec.volumes[2].persistentVolumeClaim.claimName, "win-disk")
    check.eq(r["win-pvc-disk"].attributes.manifest.spec.storageClassName, "bulk")
  end,

  quantities = function()
    check.eq(workloads.millicores("250m"), 250)
    check.eq(workloads.millicores(0.5), 500)
    check.eq(workloads.millicores("2"), 2000)
    check.eq(workloads.cpu_text(1500), "1500m")
    check.eq(workloads.scale_quantity("1.5Ti", 2), "3Ti")
  end,

  body_adds_the_managed_by_label_address_and_string_data = function()
    local planned = { manifest = { apiVersion = "v1", kind = "Secret", metadata = { name = "s" } },
                      secret_data = { k = "v" } }
    local body = manifest.body(planned, "web", "kubernetes.object.s")
    check.eq(body.metadata.namespace, "web")
    check.eq(body.metadata.labels["app.kubernetes.io/managed-by"], "cairn")
    check.eq(body.metadata.annotations["cairn.io/address"], "kubernetes.object.s")
    check.eq(body.stringData, { k = "v" })
    check.eq(planned.manifest.metadata.labels, nil, "the planned manifest is not changed")
  end,

  drift_compares_only_the_fields_cairn_sets = function()
    local want = { apiVersion = "v1", kind = "ConfigMap", metadata = { name = "a", labels = { x = "1" } },
                   data = { k = "v" }, spec = { n = 1 } }
    local live = json.decode(json.encode({
      apiVersion = "v1", kind = "ConfigMap",
      metadata = { name = "a", uid = "u", resourceVersion = "7", labels = { x = "1", extra = "y" },
                   managedFields = { { manager = "cairn" } } },
      data = { k = "changed", other = "z" }, spec = { n = "1" }, status = { phase = "x" } }))
    local p = manifest.project(want, live)
    check.eq(p, { apiVersion = "v1", kind = "ConfigMap", metadata = { name = "a", labels = { x = "1" } },
                  data = { k = "changed" }, spec = { n = 1 } })
  end,

  empty_lists_are_sent_as_lists_and_are_not_drift = function()
    local want = { apiVersion = "v1", kind = "Pod", metadata = { name = "p" },
                   spec = { args = json.array({}), env = {} } }
    local body = manifest.body({ manifest = want }, "ns", "kubernetes.object.p")
    check.eq(json.encode(body.spec), '{"args":[],"env":{}}')
    -- The server may echo the empty list or omit it (omitempty): neither is drift.
    for _, live_text in ipairs({ '{"spec":{"args":[],"env":{}}}', '{"spec":{}}' }) do
      local p = manifest.project(want, json.decode(live_text))
      check.eq(json.encode(p.spec), '{"args":[],"env":{}}', live_text)
    end
    -- A list the server filled in is drift, and stays a list.
    local p = manifest.project(want, json.decode('{"spec":{"args":["-v"]}}'))
    check.eq(json.encode(p.spec.args), '["-v"]')
  end,

  ids_round_trip = function()
    check.eq({ manifest.parse_id("apps/v1/Deployment/web/f") }, { "apps/v1", "Deployment", "web", "f" })
    check.eq({ manifest.parse_id("v1/Namespace//app-x") }, { "v1", "Namespace", "", "app-x" })
    check.error(function() manifest.parse_id("nonsense") end, "not an object id")
  end,

  plan_refuses_a_manifest_without_a_name = function()
    local plan = provider.resources.object.plan
    local err = check.error(function()
      plan({ config = {}, blueprint = {}, address = "kubernetes.object.x" }, nil,
           { manifest = { apiVersion = "v1", kind = "ConfigMap", metadata = {} }, force = false, wait = true })
    end, "metadata.name")
    check.eq(err.path, "manifest.metadata")
  end,

  plan_fills_the_id_without_a_cluster = function()
    local plan = provider.resources.object.plan
    local planned = plan({ config = {}, blueprint = {}, address = "kubernetes.object.x" }, nil,
      { manifest = { apiVersion = "apps/v1", kind = "Deployment", metadata = { name = "f", namespace = "w" } },
        force = false, wait = true })
    check.eq(planned.id, "apps/v1/Deployment/w/f")
    check.eq(cairn.is_unknown(planned.uid), true)
  end,

  custom_resources_are_checked_against_a_crd_in_the_blueprint = function()
    local crd_manifest = {
      apiVersion = "apiextensions.k8s.io/v1", kind = "CustomResourceDefinition",
      metadata = { name = "widgets.example.org" },
      spec = { group = "example.org", scope = "Namespaced",
               names = { kind = "Widget", plural = "widgets" },
               versions = { { name = "v1", served = true, storage = true, schema = { openAPIV3Schema = {
                 type = "object",
                 properties = { spec = { type = "object", properties = {
                   size = { type = "integer", minimum = 1 }, color = { type = "string" } } } } } } } } },
    }
    local bp = { resources = {
      ["kubernetes.object.crd"] = { manifest = crd_manifest },
      ["kubernetes.object.w"] = { manifest = {}, depends_on = { "kubernetes.object.crd" } },
      ["kubernetes.object.orphan"] = { manifest = {} },
    } }
    local ctx = { config = {}, blueprint = bp, address = "kubernetes.object.w" }
    local function widget(spec)
      return { apiVersion = "example.org/v1", kind = "Widget", metadata = { name = "w" }, spec = spec }
    end
    crd.check(ctx, nil, widget({ size = 2, color = "red" }))
    local err = check.error(function() crd.check(ctx, nil, widget({ size = 2, colour = "red" })) end,
                            "unknown field \"colour\"")
    check.eq(err.path, "manifest.spec.colour")
    check.eq(err.hint, "did you mean 'color'?")
    err = check.error(function() crd.check(ctx, nil, widget({ size = 0 })) end, "spec.size")
    check.eq(err.path, "manifest.spec.size")
    ctx.address = "kubernetes.object.orphan"
    err = check.error(function() crd.check(ctx, nil, widget({ size = 2 })) end, "must be applied first")
    check.contains(err.hint, "depends_on: [kubernetes.object.crd]")
  end,
}
