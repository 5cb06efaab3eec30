-- Pure functions of the Kubernetes client in plugins/lib/kube: kubeconfig parsing, paths, label
-- selectors and the mapping of API errors to cairn.fail.
local kubeconfig = require("lib.kube.kubeconfig")
local paths = require("lib.kube.paths")
local errors = require("lib.kube.errors")
local base64 = require("host.base64")
local json = require("host.json")

local CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

local function config_text()
  return table.concat({
    "apiVersion: v1",
    "kind: Config",
    "current-context: home",
    "clusters:",
    "- name: k3s",
    "  cluster:",
    "    server: https://10.0.0.1:6443/",
    "    certificate-authority-data: " .. base64.encode(CA),
    "- name: lab",
    "  cluster:",
    "    server: https://lab:6443",
    "    certificate-authority: /etc/lab-ca.pem",
    "users:",
    "- name: admin",
    "  user:",
    "    client-certificate-data: " .. base64.encode("CERT"),
    "    client-key-data: " .. base64.encode("KEY"),
    "- name: robot",
    "  user:",
    "    token: s3cret",
    "contexts:",
    "- name: home",
    "  context: { cluster: k3s, user: admin }",
    "- name: lab",
    "  context: { cluster: lab, user: robot, namespace: tools }",
  }, "\n") .. "\n"
end

local function response(status, body, headers)
  return { status = status, body = json.encode(body), headers = headers or {} }
end

local function status_body(code, reason, message, details)
  return { kind = "Status", apiVersion = "v1", metadata = {}, status = "Failure",
           message = message, reason = reason, details = details, code = code }
end

return {
  kubeconfig_current_context_with_client_certificate = function()
    local c = kubeconfig.parse(config_text())
    check.eq(c.server, "https://10.0.0.1:6443/")
    check.eq(c.ca_pem, CA)
    check.eq(c.client_cert_pem, "CERT")
    check.eq(c.client_key_pem, "KEY")
    check.eq(c.token, nil)
  end,

  kubeconfig_named_context_with_token_and_ca_file = function()
    local c = kubeconfig.parse(config_text(), "lab")
    check.eq(c.server, "https://lab:6443")
    check.eq(c.token, "s3cret")
    check.eq(c.ca_file, "/etc/lab-ca.pem")
    check.eq(c.namespace, "tools")
  end,

  kubeconfig_disable_compression_and_its_override = function()
    check.eq(kubeconfig.parse(config_text()).disable_compression, false)
    local text = config_text():gsub("    server: https://10.0.0.1:6443/",
                                     "    server: https://10.0.0.1:6443/\n    disable-compression: true")
    check.eq(kubeconfig.parse(text).disable_compression, true)
    local conn = kubeconfig.from_config({ kubeconfig_content = text, disable_compression = false })
    check.eq(conn.disable_compression, false)
  end,

  kubeconfig_unknown_context_lists_the_known_ones = function()
    local err = check.error(function() kubeconfig.parse(config_text(), "prod") end,
                            "no context named 'prod'")
    check.contains(err.hint, "home, lab")
  end,

  kubeconfig_exec_plugins_are_refused_with_a_hint = function()
    local text = "current-context: c\nclusters: [{name: k, cluster: {server: https://x}}]\n" ..
                 "users: [{name: u, user: {exec: {command: aws}}}]\n" ..
                 "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
    local err = check.error(function() kubeconfig.parse(text) end, "exec")
    check.contains(err.hint, "token")
  end,

  from_config_overrides_and_defaults = function()
    local c = kubeconfig.from_config({ kubeconfig_content = config_text(), token = "t2",
                                       ca_data = base64.encode(CA) })
    check.eq(c.server, "https://10.0.0.1:6443")  -- trailing slash dropped
    check.eq(c.token, "t2")
    check.eq(c.ca_pem, CA)
    check.eq(c.namespace, "default")
    check.eq(kubeconfig.from_config({}), nil)
    local direct = kubeconfig.from_config({ server = "http://127.0.0.1:1", ca_data = CA })
    check.eq(direct.ca_pem, CA)
  end,

  paths_for_core_groups_and_cluster_scope = function()
    local cm = { api_version = "v1", plural = "configmaps", namespaced = true }
    local dep = { api_version = "apps/v1", plural = "deployments", namespaced = true }
    local pol = { api_version = "cilium.io/v2", plural = "ciliumegressgatewaypolicies", namespaced = false }
    check.eq(paths.object(cm, "web", "a"), "/api/v1/namespaces/web/configmaps/a")
    check.eq(paths.collection(dep, "web"), "/apis/apps/v1/namespaces/web/deployments")
    check.eq(paths.collection(dep, nil), "/apis/apps/v1/deployments")
    check.eq(paths.object(pol, "ignored", "p"), "/apis/cilium.io/v2/ciliumegressgatewaypolicies/p")
    check.eq(paths.group_version_path("v1"), "/api/v1")
    check.eq(paths.id("apps/v1", "Deployment", "web", "f"), "apps/v1/Deployment/web/f")
  end,

  query_strings_are_sorted_and_escaped = function()
    check.eq(paths.query({ labelSelector = "a=b,c in (x,y)", limit = 500, force = true, dry = false }),
             "?force=true&labelSelector=a%3Db%2Cc%20in%20%28x%2Cy%29&limit=500")
    check.eq(paths.query({}), "")
  end,

  label_selectors = function()
    check.eq(paths.selector({ app = "web", tier = { "!=", "db" }, env = { "in", { "b", "a" } },
                              legacy = { "!" }, ready = { "exists" } }),
             "app=web,env in (a,b),!legacy,ready,tier!=db")
    check.error(function() paths.selector({ app = "a b" }) end, "cannot have")
  end,

  field_paths_become_blueprint_paths = function()
    check.eq(paths.field_to_path(".spec.replicas", "manifest"), "manifest.spec.replicas")
    check.eq(paths.field_to_path("spec.template.spec.containers[0].image", "manifest"),
             "manifest.spec.template.spec.containers[0].image")
    check.eq(paths.field_to_path("metadata.labels[app.kubernetes.io/name]", "manifest"),
             "manifest.metadata.labels[\"app.kubernetes.io/name\"]")
  end,

  conflict_names_fields_and_hints_force = function()
    local msg, opts = errors.describe(response(409, status_body(409, "Conflict",
      "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas",
      { causes = { { reason = "FieldManagerConflict", message = "conflict with \"kubectl\"",
                     field = ".spec.replicas" } } })), "Deployment web/f")
    check.contains(msg, "spec.replicas (conflict with \"kubectl\")")
    check.contains(opts.hint, "force: true")
    check.eq(opts.path, "manifest.spec.replicas")
    check.eq(opts.retryable, nil)
  end,

  invalid_points_at_the_first_cause = function()
    local msg, opts = errors.describe(response(422, status_body(422, "Invalid", "x is invalid",
      { kind = "Deployment", causes = {
        { reason = "FieldValueRequired", message = "Required value", field = "spec.selector" },
        { reason = "FieldValueInvalid", message = "Invalid value: -1", field = "spec.replicas" },
      } })), "Deployment web/f")
    check.contains(msg, "spec.selector: Required value")
    check.contains(msg, "1 more")
    check.eq(opts.path, "manifest.spec.selector")
  end,

  internal_error_for_an_undeclared_field_is_not_retryable = function()
    local msg, opts = errors.describe(response(500, status_body(500, "InternalError",
      "failed to create typed patch object (web/f; apps/v1, Kind=Deployment): " ..
      ".spec.replicaz: field not declared in schema")), "Deployment web/f")
    check.eq(opts.path, "manifest.spec.replicaz")
    check.eq(opts.retryable, nil)
    check.contains(msg, "not a known field")
  end,

  busy_servers_are_retryable_with_retry_after = function()
    local _, opts = errors.describe(response(429, status_body(429, "TooManyRequests", "slow down",
      { retryAfterSeconds = 3 })), "ConfigMap a")
    check.eq(opts.retryable, true)
    check.eq(opts.retry_after, 3)
    local _, o2 = errors.describe(response(503, status_body(503, "ServiceUnavailable", "x"),
                                           { ["retry-after"] = "7" }), "ConfigMap a")
    check.eq(o2.retry_after, 7)
    check.eq(o2.retryable, true)
  end,

  not_found_and_unknown_kinds = function()
    local msg = errors.describe(response(404, status_body(404, "NotFound",
      "configmaps \"a\" not found", { name = "a", kind = "configmaps" })), "ConfigMap d/a")
    check.contains(msg, "not found")
    local m2, o2 = errors.describe(response(404, status_body(404, "NotFound",
      "the server could not find the requested resource")), "Widget w")
    check.contains(m2, "not served")
    check.contains(o2.hint, "CRD")
    local m3, o3 = errors.describe(response(409, status_body(409, "AlreadyExists",
      "configmaps \"a\" already exists")), "ConfigMap d/a")
    check.contains(m3, "already exists")
    check.contains(o3.hint, "import")
  end,
}
