# RabbitMQ for Cognive: quorum queues (ARCHITECTURE §3) need a cluster of three nodes to
# survive the loss of one; the in-cluster variant runs one node, for development.

locals {
  managed    = var.mode == "managed"
  in_cluster = var.mode == "in_cluster"
}

resource "random_password" "this" {
  length  = 32
  special = false
}

# ---------------------------------------------------------------- managed: Amazon MQ

resource "aws_mq_broker" "this" {
  #checkov:skip=CKV_AWS_209:Amazon MQ for RabbitMQ refuses encryptionOptions (customer-managed keys are ActiveMQ only); its storage is always encrypted at rest with an AWS-owned key.
  count                      = local.managed ? 1 : 0
  broker_name                = var.name
  engine_type                = "RabbitMQ"
  engine_version             = var.engine_version
  host_instance_type         = var.instance_type
  deployment_mode            = length(var.subnet_ids) >= 3 ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE"
  subnet_ids                 = length(var.subnet_ids) >= 3 ? var.subnet_ids : slice(var.subnet_ids, 0, 1)
  security_groups            = var.security_group_ids
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  apply_immediately          = false

  user {
    username = var.username
    password = random_password.this.result
  }

  # General logs to CloudWatch (RabbitMQ brokers have no audit log).
  logs {
    general = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "03:00"
    time_zone   = "UTC"
  }
}

# ---------------------------------------------------------------- in_cluster: Helm (dev)

resource "random_password" "erlang_cookie" {
  count   = local.in_cluster ? 1 : 0
  length  = 32
  special = false
}

resource "helm_release" "this" {
  count            = local.in_cluster ? 1 : 0
  name             = "${var.name}-rabbitmq" # also the Service's name (bitnami fullname)
  namespace        = var.namespace
  create_namespace = true
  repository       = "oci://registry-1.docker.io/bitnamicharts"
  chart            = "rabbitmq"
  version          = var.chart_version
  values = compact([
    yamlencode({
      # Bitnami's versioned images moved to bitnamilegacy/ in 2025: see var.image_repository.
      global = { security = { allowInsecureImages = true } }
      image  = { repository = var.image_repository }
      auth = {
        username = var.username
        password = random_password.this.result
        # Fixed, so that an upgrade does not change the cookie under a running node.
        erlangCookie = random_password.erlang_cookie[0].result
      }
      replicaCount = 1
      persistence  = { size = "8Gi" }
    }),
    var.extra_values,
  ])
}

locals {
  # Amazon MQ gives amqps://host:5671; the in-cluster broker speaks plain AMQP inside the cluster.
  endpoint = local.managed ? replace(aws_mq_broker.this[0].instances[0].endpoints[0], "amqps://", "") : "${var.name}-rabbitmq.${var.namespace}.svc.cluster.local:5672"
  scheme   = local.managed ? "amqps" : "amqp"
}
