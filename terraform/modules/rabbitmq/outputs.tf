output "url" {
  description = "URL for the services' rabbitmq_url setting."
  value       = "${local.scheme}://${var.username}:${random_password.this.result}@${local.endpoint}/"
  sensitive   = true
}
