# PostgreSQL for Cognive. The services need one database with max_connections for every
# replica's pool plus its leader-lock sessions, and a short idle-in-transaction timeout is set
# by the services themselves (ADR 0004).

locals {
  managed    = var.mode == "managed"
  in_cluster = var.mode == "in_cluster"
}

resource "random_password" "this" {
  length  = 32
  special = false
}

# ---------------------------------------------------------------- managed: Amazon RDS

resource "aws_db_subnet_group" "this" {
  count      = local.managed ? 1 : 0
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "this" {
  count       = local.managed ? 1 : 0
  name        = "${var.name}-postgres"
  description = "PostgreSQL for Cognive: reachable from the cluster only"
  vpc_id      = var.vpc_id

  ingress {
    description = "PostgreSQL from the cluster"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidr_blocks
  }
}

resource "aws_db_parameter_group" "this" {
  count  = local.managed ? 1 : 0
  name   = "${var.name}-pg${var.engine_version}"
  family = "postgres${var.engine_version}"

  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_statement"
    value = "ddl"
  }
}

resource "aws_db_instance" "this" {
  count                               = local.managed ? 1 : 0
  identifier                          = var.name
  engine                              = "postgres"
  engine_version                      = var.engine_version
  instance_class                      = var.instance_class
  allocated_storage                   = var.allocated_storage_gb
  max_allocated_storage               = var.allocated_storage_gb * 4
  db_name                             = var.database
  username                            = var.username
  password                            = random_password.this.result
  db_subnet_group_name                = aws_db_subnet_group.this[0].name
  vpc_security_group_ids              = [aws_security_group.this[0].id]
  parameter_group_name                = aws_db_parameter_group.this[0].name
  multi_az                            = true
  publicly_accessible                 = false
  storage_encrypted                   = true
  kms_key_id                          = var.kms_key_arn
  backup_retention_period             = var.backup_retention_days
  deletion_protection                 = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-final"
  copy_tags_to_snapshot               = true
  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = var.kms_key_arn
  monitoring_interval                 = 30
  monitoring_role_arn                 = aws_iam_role.monitoring[0].arn
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
}

resource "aws_iam_role" "monitoring" {
  count = local.managed ? 1 : 0
  name  = "${var.name}-rds-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  count      = local.managed ? 1 : 0
  role       = aws_iam_role.monitoring[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

# ---------------------------------------------------------------- in_cluster: Helm (dev)

resource "helm_release" "this" {
  count            = local.in_cluster ? 1 : 0
  name             = "${var.name}-postgresql" # also the Service's name (bitnami fullname)
  namespace        = var.namespace
  create_namespace = true
  repository       = "oci://registry-1.docker.io/bitnamicharts"
  chart            = "postgresql"
  version          = var.chart_version
  values = compact([
    yamlencode({
      # Bitnami's versioned images moved to bitnamilegacy/ in 2025: see var.image_repository.
      global = { security = { allowInsecureImages = true } }
      image  = { repository = var.image_repository }
      auth = {
        username = var.username
        password = random_password.this.result
        database = var.database
      }
      primary = {
        extendedConfiguration = "max_connections = 300"
        persistence           = { size = "10Gi" }
      }
    }),
    var.extra_values,
  ])
}

locals {
  host = local.managed ? aws_db_instance.this[0].address : "${var.name}-postgresql.${var.namespace}.svc.cluster.local"
  ssl  = local.managed ? "?sslmode=require" : ""
}
