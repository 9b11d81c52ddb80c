# Cognive on Kubernetes: a namespace, one Secret and one helm_release per service, the
# console. The Secrets hold exactly what the charts' `secretSettings` reference
# (cognive-<service>: postgres-dsn, rabbitmq-url, redis-url, jwt-secret; fernet-keys for
# notification), so no credential is ever a Helm value.

locals {
  services = ["registry", "ingest", "cost", "budget", "notification"]
  ports    = { ingest = 8001, registry = 8002, cost = 8003, budget = 8004, notification = 8005 }
  # The disjoint /v1 prefixes each service owns (ARCHITECTURE §6), as in charts/cognive.
  routes = {
    ingest       = ["/v1/events", "/v1/runs", "/v1/policy-violations"]
    registry     = ["/v1/teams", "/v1/agents", "/v1/api-keys", "/v1/users", "/v1/auth", "/v1/audit"]
    cost         = ["/v1/pricing", "/v1/costs"]
    budget       = ["/v1/budgets", "/v1/checks", "/v1/blocked-calls"]
    notification = ["/v1/channels", "/v1/subscriptions", "/v1/deliveries"]
  }
  paths = flatten([for service, prefixes in local.routes : [for p in prefixes : { service = service, path = p }]])
  namespace = var.create_namespace ? kubernetes_namespace.this[0].metadata[0].name : var.namespace
  oidc_settings = var.oidc == null ? {} : {
    oidc_issuer            = var.oidc.issuer
    oidc_jwks_url          = var.oidc.jwks_url
    oidc_audience          = var.oidc.audience
    oidc_group_role_map    = jsonencode(var.oidc.group_role_map)
    jwt_accept_dev_tokens  = "false"
  }
  # Fernet keys are URL-safe base64 of 32 random bytes.
  fernet_key = replace(replace(random_bytes.fernet.base64, "+", "-"), "/", "_")
}

resource "kubernetes_namespace" "this" {
  count = var.create_namespace ? 1 : 0
  metadata {
    name   = var.namespace
    labels = { "app.kubernetes.io/part-of" = "cognive" }
  }
}

# One signing secret for the HS256 dev tokens all services must agree on.
resource "random_password" "jwt" {
  length  = 48
  special = false
}

resource "random_bytes" "fernet" {
  length = 32
}

resource "kubernetes_secret" "service" {
  for_each = toset(local.services)
  metadata {
    name      = "cognive-${each.key}"
    namespace = local.namespace
    labels    = { "app.kubernetes.io/part-of" = "cognive", "app.kubernetes.io/name" = each.key }
  }
  data = merge(
    {
      "postgres-dsn" = var.postgres_dsn
      "rabbitmq-url" = var.rabbitmq_url
      "redis-url"    = var.redis_url
      "jwt-secret"   = random_password.jwt.result
    },
    each.key == "notification" ? { "fernet-keys" = jsonencode([local.fernet_key]) } : {},
  )
  type = "Opaque"
}

resource "helm_release" "service" {
  for_each  = toset(local.services)
  name      = each.key
  namespace = local.namespace
  chart     = "${var.charts_dir}/${each.key}"
  # Registry migrates and declares the shared exchanges first (ADR 0012).
  depends_on       = [kubernetes_secret.service]
  atomic           = true
  wait             = true
  timeout          = 600
  dependency_update = true

  values = compact([
    yamlencode({
      fullnameOverride = each.key
      image            = merge({ repository = var.image_repository }, var.image_tag == "" ? {} : { tag = var.image_tag })
      replicas         = var.replicas
      settings = merge({ environment = var.environment, log_json = "true" }, local.oidc_settings)
    }),
    lookup(var.extra_values, each.key, ""),
  ])
}

resource "helm_release" "console" {
  count             = var.console_enabled ? 1 : 0
  name              = "console"
  namespace         = local.namespace
  chart             = "${var.charts_dir}/console"
  atomic            = true
  wait              = true
  dependency_update = true
  values = [yamlencode({
    fullnameOverride = "console"
    image            = merge({ repository = var.console_image_repository }, var.image_tag == "" ? {} : { tag = var.image_tag })
    devLogin = var.oidc == null && var.environment == "dev"
    oidc = var.oidc == null ? null : {
      authority = var.oidc.issuer
      clientId  = var.oidc.console_client_id
    }
  })]
  lifecycle {
    precondition {
      condition     = var.oidc != null || var.environment == "dev"
      error_message = "the console needs oidc outside dev (the dev login is for development only)."
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
                name = path.value.service
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
  depends_on = [helm_release.service, helm_release.console]
}
