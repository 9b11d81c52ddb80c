output "namespace" {
  description = "Where the services run."
  value       = module.cognive.namespace
}

output "postgres_host" {
  description = "RDS endpoint."
  value       = module.postgres.host
}
