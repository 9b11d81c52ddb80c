output "namespace" {
  description = "Where the services run."
  value       = module.cognive.namespace
}

output "port_forward" {
  description = "How to reach registry (and sign in with the dev login) from this machine."
  value       = "kubectl -n ${module.cognive.namespace} port-forward svc/registry 8002:8002"
}
