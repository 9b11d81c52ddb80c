# Cognive on Kubernetes: a namespace, one Secret and one helm_release per service, the
# console, an optional Ingress. Each Secret holds exactly the keys its chart's
# `secretSettings` reference, and the release is told those references explicitly, so no
# credential is ever a Helm value and the two cannot drift apart.

locals {
  services   = ["registry", "ingest", "cost", "budget", "notification"]
  charts_dir = coalesce(var.charts_dir, "${path.module}/../../../charts")
  ports      = { ingest = 8001, registry = 8002, cost = 8003, budget = 8004, notification = 8005 }
  # The disjoint /v1 prefixes each service owns (ARCHITECTURE §6), as in charts/cognive.
  routes = {
    ingest       = ["/v1/events", "/v1/runs", "/v1/policy-violations"]
    registry     = ["/v1/teams", "/v1/agents", "/v1/api-keys", "/v1/users", "/v1/auth", "/v1/audit"]
    cost         = ["/v1/pricing", "/v1/costs"]
    budget       = ["/v1/budgets", "/v1/checks", "/v1/blocked-calls"]
    notification = ["/v1/channels", "/v1/subscriptions", "/v1/deliveries"]
  }
  paths     = flatten([for service, prefixes in local.routes : [for p in prefixes : { service = service, path = p }]])
  namespace = var.create_namespace ? kubernetes_namespace_v1.this[0].metadata[0].name : var.namespace

  # setting (as in secretSettings) => key in the service's Secret. Notification also holds
  # the Fernet keys that encrypt channel credentials.
  secret_keys = {
    postgres_dsn     = "postgres-dsn"
    rabbitmq_url     = "rabbitmq-url"
    redis_url        = "redis-url"
    jwt_hs256_secret = "jwt-secret"
  }
  secret_keys_by_service = {
    for s in local.services : s => merge(local.secret_keys, s == "notification" ? { secret_keys = "fernet-keys" } : {})
  }
  secret_values = {
    postgres_dsn     = var.postgres_dsn
    rabbitmq_url     = var.rabbitmq_url
    redis_url        = var.redis_url
    jwt_hs256_secret = random_password.jwt.result
    # A JSON list of Fernet keys (the first encrypts): URL-safe base64 of 32 random bytes.
    secret_keys = jsonencode([replace(replace(random_bytes.fernet.base64, "+", "-"), "/", "_")])
  }

  oidc_settings = var.oidc == null ? {} : {
    oidc_issuer           = var.oidc.issuer
    oidc_jwks_url         = var.oidc.jwks_url
    oidc_audience         = var.oidc.audience
    oidc_group_role_map   = jsonencode(var.oidc.group_role_map)
    jwt_accept_dev_tokens = "false"
  }
  image_tag = var.image_tag == "" ? {} : { tag = var.image_tag }
}

resource "kubernetes_namespace_v1" "this" {
  count = var.create_namespace ? 1 : 0
  metadata {
    name   = var.namespace
    labels = { "app.kubernetes.io/part-of" = "cognive" }
  }
}

# One HS256 signing secret all services must agree on (service-to-service and dev tokens).
resource "random_password" "jwt" {
  length  = 48
  special = false
}

resource "random_bytes" "fernet" {
  length = 32
}

resource "kubernetes_secret_v1" "service" {
  for_each = toset(local.services)
  metadata {
    name      = "cognive-${each.key}"
    namespace = local.namespace
    labels    = { "app.kubernetes.io/part-of" = "cognive", "app.kubernetes.io/name" = each.key }
  }
  data = { for setting, key in local.secret_keys_by_service[each.key] : key => local.secret_values[setting] }
  type = "Opaque"
}

# Services need no start order: each declares the whole broker topology idempotently and
# migrates only its own schema (the chart's pre-install Job).
resource "helm_release" "service" {
  for_each          = toset(local.services)
  name              = each.key
  namespace         = local.namespace
  chart             = "${local.charts_dir}/${each.key}"
  dependency_update = true # charts/_common is a file:// dependency
  atomic            = true
  wait              = true
  timeout           = 600

  values = compact([
    yamlencode({
      fullnameOverride = each.key
      image            = merge({ repository = var.image_repository }, local.image_tag)
      replicas         = var.replicas
      settings         = merge({ environment = var.environment, log_json = "true" }, local.oidc_settings)
      secretSettings = {
        for setting, key in local.secret_keys_by_service[each.key] :
        setting => { secret = kubernetes_secret_v1.service[each.key].metadata[0].name, key = key }
      }
    }),
    lookup(var.extra_values, each.key, ""),
  ])
}

resource "helm_release" "console" {
  count             = var.console_enabled ? 1 : 0
  name              = "console"
  namespace         = local.namespace
  chart             = "${local.charts_dir}/console"
  dependency_update = true
  atomic            = true
  wait              = true
  values = [yamlencode({
    fullnameOverride = "console"
    image            = merge({ repository = var.console_image_repository }, local.image_tag)
    devLogin         = var.oidc == null && var.environment == "dev"
    oidc             = var.oidc == null ? null : { authority = var.oidc.issuer, clientId = var.oidc.console_client_id }
  })]
  lifecycle {
    precondition {
      condition     = var.oidc != null || var.environment == "dev"
      error_message = "The console needs oidc outside dev (the dev login is for development only)."
    }
  }
}

# One host: every service's /v1 prefixes and, at /, the console (longest prefix wins).
resource "kubernetes_ingress_v1" "this" {
  count = var.ingress_host == null ? 0 : 1
  metadata {
    name      = "cognive"
    namespace = local.namespace
    labels    = { "app.kubernetes.io/part-of" = "cognive" }
  }
  spec {
    ingress_class_name = var.ingress_class
    tls {
      hosts       = [var.ingress_host]
      secret_name = var.ingress_tls_secret
    }
    rule {
      host = var.ingress_host
      http {
        dynamic "path" {
          for_each = local.paths
          content {
            path      = path.value.path
            path_type = "Prefix"
            backend {
              service {
                name = helm_release.service[path.value.service].name
                port { number = local.ports[path.value.service] }
              }
            }
          }
        }
        dynamic "path" {
          for_each = var.console_enabled ? ["/"] : []
          content {
            path      = path.value
            path_type = "Prefix"
            backend {
              service {
                name = "console"
                port { number = 8080 }
              }
            }
          }
        }
      }
    }
  }
  depends_on = [helm_release.console]
}
