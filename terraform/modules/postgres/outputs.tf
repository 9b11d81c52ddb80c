output "dsn" {
  description = "DSN for the services' postgres_dsn setting."
  value       = "postgresql://${var.username}:${random_password.this.result}@${local.host}:5432/${var.database}${local.ssl}"
  sensitive   = true
}

output "host" {
  description = "Host name of the server."
  value       = local.host
}
