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

resource "aws_mq_broker" "this" {
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

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = var.kms_key_arn
  }

  logs {
    general = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "03:00"
    time_zone   = "UTC"
  }
}

resource "helm_release" "this" {
  count            = local.in_cluster ? 1 : 0
  name             = var.name
  namespace        = var.namespace
  create_namespace = true
  repository       = "oci://registry-1.docker.io/bitnamicharts"
  chart            = "rabbitmq"
  version          = var.chart_version
  values = [yamlencode({
    auth        = { username = var.username, password = random_password.this.result }
    replicaCount = 1
    persistence = { size = "8Gi" }
  })]
}

locals {
  # Amazon MQ gives amqps://host:5671; the in-cluster broker speaks plain AMQP inside the cluster.
  endpoint = local.managed ? replace(aws_mq_broker.this[0].instances[0].endpoints[0], "amqps://", "") : "${var.name}.${var.namespace}.svc.cluster.local:5672"
  scheme   = local.managed ? "amqps" : "amqp"
}
