# Development: Postgres, RabbitMQ and Redis in the cluster, the services with the dev login.

module "postgres" {
  source = "../../modules/postgres"
  mode   = "in_cluster"
}

module "rabbitmq" {
  source = "../../modules/rabbitmq"
  mode   = "in_cluster"
}

module "redis" {
  source = "../../modules/redis"
  mode   = "in_cluster"
}

module "cognive" {
  source       = "../../modules/cognive"
  environment  = "dev"
  replicas     = 1
  image_tag    = var.image_tag
  postgres_dsn = module.postgres.dsn
  rabbitmq_url = module.rabbitmq.url
  redis_url    = module.redis.url
  extra_values = {
    registry = yamlencode({ settings = { dev_login_enabled = "true", bootstrap_admin_email = "admin@example.com" } })
  }
}
