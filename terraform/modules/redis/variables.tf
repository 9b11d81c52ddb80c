variable "mode" {
  description = "\"managed\" (Amazon ElastiCache for Redis) or \"in_cluster\" (a Helm release, for dev)."
  type        = string
  validation {
    condition     = contains(["managed", "in_cluster"], var.mode)
    error_message = "mode must be managed or in_cluster."
  }
}

variable "name" {
  description = "Name of the replication group or release."
  type        = string
  default     = "cognive"
}

variable "namespace" {
  description = "in_cluster: namespace of the release."
  type        = string
  default     = "cognive-data"
}

variable "subnet_ids" {
  description = "managed: private subnets."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "managed: security groups allowing 6379 from the cluster."
  type        = list(string)
  default     = []
}

variable "node_type" {
  description = "managed: node type."
  type        = string
  default     = "cache.r7g.large"
}

variable "kms_key_arn" {
  description = "managed: customer-managed KMS key for encryption at rest."
  type        = string
  default     = null
}

variable "chart_version" {
  description = "in_cluster: version of the bitnami/redis chart."
  type        = string
  default     = "20.6.3"
}

variable "image_repository" {
  description = "in_cluster: Redis image repository (bitnamilegacy keeps the chart's versioned tags; use your own mirror or Bitnami Secure Images for anything long-lived)."
  type        = string
  default     = "bitnamilegacy/redis"
}

variable "extra_values" {
  description = "in_cluster: extra Helm values (YAML) for the bitnami/redis chart."
  type        = string
  default     = ""
}
