# Redis for Cognive: budget's pre-flight counters and cost's response cache. Both are
# rebuilt from Postgres when lost (ADR 0010), so a replica for failover matters more than
# persistence.

locals {
  managed    = var.mode == "managed"
  in_cluster = var.mode == "in_cluster"
}

resource "random_password" "this" {
  length  = 48
  special = false
}

# ---------------------------------------------------------------- managed: ElastiCache

resource "aws_elasticache_subnet_group" "this" {
  count      = local.managed ? 1 : 0
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_elasticache_replication_group" "this" {
  count                      = local.managed ? 1 : 0
  replication_group_id       = var.name
  description                = "Redis for Cognive (pre-flight counters, response cache)"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.node_type
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
  port                       = 6379
  subnet_group_name          = aws_elasticache_subnet_group.this[0].name
  security_group_ids         = var.security_group_ids
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  auth_token                 = random_password.this.result
  snapshot_retention_limit   = 3
  snapshot_window            = "02:00-03:00"
  maintenance_window         = "sun:03:30-sun:04:30"
  auto_minor_version_upgrade = true
}

# ---------------------------------------------------------------- in_cluster: Helm (dev)

resource "helm_release" "this" {
  count            = local.in_cluster ? 1 : 0
  name             = "${var.name}-redis" # Services: <release>-master (bitnami fullname)
  namespace        = var.namespace
  create_namespace = true
  repository       = "oci://registry-1.docker.io/bitnamicharts"
  chart            = "redis"
  version          = var.chart_version
  values = compact([
    yamlencode({
      # Bitnami's versioned images moved to bitnamilegacy/ in 2025: see var.image_repository.
      global       = { security = { allowInsecureImages = true } }
      image        = { repository = var.image_repository }
      architecture = "standalone"
      auth         = { password = random_password.this.result }
    }),
    var.extra_values,
  ])
}

locals {
  host   = local.managed ? aws_elasticache_replication_group.this[0].primary_endpoint_address : "${var.name}-redis-master.${var.namespace}.svc.cluster.local"
  scheme = local.managed ? "rediss" : "redis"
}
