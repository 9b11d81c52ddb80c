# Production: managed Postgres (RDS), RabbitMQ (Amazon MQ, three brokers) and Redis
# (ElastiCache), people signing in with OIDC, autoscaled ingest.

module "postgres" {
  source              = "../../modules/postgres"
  mode                = "managed"
  vpc_id              = var.vpc_id
  subnet_ids          = var.private_subnet_ids
  allowed_cidr_blocks = var.cluster_cidr_blocks
  kms_key_arn         = var.kms_key_arn
}

module "rabbitmq" {
  source             = "../../modules/rabbitmq"
  mode               = "managed"
  subnet_ids         = var.private_subnet_ids
  security_group_ids = var.data_security_group_ids
}

module "redis" {
  source             = "../../modules/redis"
  mode               = "managed"
  subnet_ids         = var.private_subnet_ids
  security_group_ids = var.data_security_group_ids
  kms_key_arn        = var.kms_key_arn
}

module "cognive" {
  source       = "../../modules/cognive"
  environment  = "prod"
  image_tag    = var.image_tag
  postgres_dsn = module.postgres.dsn
  rabbitmq_url = module.rabbitmq.url
  redis_url    = module.redis.url
  oidc         = var.oidc
  ingress_host = var.ingress_host
  replicas     = 2
  extra_values = {
    ingest = yamlencode({ autoscaling = { enabled = true, minReplicas = 2, maxReplicas = 10 } })
  }
}
