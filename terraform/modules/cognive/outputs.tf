output "namespace" {
  description = "Namespace the services run in."
  value       = local.namespace
}

output "releases" {
  description = "Helm release name per service."
  value       = { for k, r in helm_release.service : k => r.name }
}

output "secret_names" {
  description = "Kubernetes Secret per service (its release's secretSettings point at it)."
  value       = { for k, s in kubernetes_secret_v1.service : k => s.metadata[0].name }
}

output "jwt_secret" {
  description = "HS256 signing secret shared by the services (dev tokens)."
  value       = random_password.jwt.result
  sensitive   = true
}
