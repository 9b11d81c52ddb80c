variable "namespace" {
  description = "Kubernetes namespace for the five services and the console."
  type        = string
  default     = "cognive"
}

variable "create_namespace" {
  description = "Create the namespace (false when it is managed elsewhere)."
  type        = bool
  default     = true
}

variable "charts_dir" {
  description = "Directory holding the charts (charts/<service>, charts/console, charts/_common); null = this repository's charts/."
  type        = string
  default     = null
}

variable "image_repository" {
  description = "Image of the five services (one image; the chart picks the command)."
  type        = string
  default     = "ghcr.io/cognive/cognive"
}

variable "console_image_repository" {
  description = "Image of the web console."
  type        = string
  default     = "ghcr.io/cognive/cognive-console"
}

variable "image_tag" {
  description = "Tag of both images; empty means each chart's appVersion."
  type        = string
  default     = ""
}

variable "environment" {
  description = "dev, staging or prod: the services' `environment` setting (prod turns the dev login off)."
  type        = string
  default     = "prod"
  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "postgres_dsn" {
  description = "DSN of the database the services share (each uses its own schema)."
  type        = string
  sensitive   = true
}

variable "rabbitmq_url" {
  description = "AMQP(S) URL of the broker."
  type        = string
  sensitive   = true
}

variable "redis_url" {
  description = "Redis URL (rediss:// for TLS)."
  type        = string
  sensitive   = true
}

variable "oidc" {
  description = "OIDC provider for people's tokens; null keeps HS256 dev tokens (not for production)."
  type = object({
    issuer            = string
    jwks_url          = string
    audience          = string
    console_client_id = string
    group_role_map    = map(string)
  })
  default = null
}

variable "replicas" {
  description = "Replicas per service (the HPA, when enabled in values, takes over)."
  type        = number
  default     = 2
}

variable "ingress_host" {
  description = "Host of the umbrella-style Ingress (every /v1 prefix and the console); null for none."
  type        = string
  default     = null
}

variable "ingress_class" {
  description = "IngressClass of the Ingress."
  type        = string
  default     = "nginx"
}

variable "ingress_tls_secret" {
  description = "TLS Secret (e.g. from cert-manager) for ingress_host."
  type        = string
  default     = "cognive-tls"
}

variable "console_enabled" {
  description = "Deploy the web console (needs oidc, or environment = dev for the dev login)."
  type        = bool
  default     = true
}

variable "extra_values" {
  description = "Per-service extra Helm values (YAML), e.g. { ingest = \"autoscaling: {enabled: true}\" }."
  type        = map(string)
  default     = {}
}
