output "url" {
  description = "URL for the services' redis_url setting."
  value       = "${local.scheme}://:${random_password.this.result}@${local.host}:6379/0"
  sensitive   = true
}
