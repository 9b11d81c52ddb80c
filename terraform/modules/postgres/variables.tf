variable "mode" {
  description = "\"managed\" (Amazon RDS for PostgreSQL) or \"in_cluster\" (a Helm release, for dev)."
  type        = string
  validation {
    condition     = contains(["managed", "in_cluster"], var.mode)
    error_message = "mode must be managed or in_cluster."
  }
}

variable "name" {
  description = "Name of the instance or release."
  type        = string
  default     = "cognive"
}

variable "database" {
  description = "Database the services share (each in its own schema)."
  type        = string
  default     = "cognive"
}

variable "username" {
  description = "Application user."
  type        = string
  default     = "cognive"
}

variable "namespace" {
  description = "in_cluster: namespace of the release."
  type        = string
  default     = "cognive-data"
}

variable "vpc_id" {
  description = "managed: VPC of the instance."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "managed: private subnets (at least two AZs)."
  type        = list(string)
  default     = []
}

variable "allowed_cidr_blocks" {
  description = "managed: CIDRs allowed to connect (the cluster's node or pod ranges)."
  type        = list(string)
  default     = []
}

variable "instance_class" {
  description = "managed: RDS instance class."
  type        = string
  default     = "db.r6g.large"
}

variable "allocated_storage_gb" {
  description = "managed: storage in GiB (grows automatically up to 4x)."
  type        = number
  default     = 100
}

variable "engine_version" {
  description = "PostgreSQL major version (15 is what CI tests against)."
  type        = string
  default     = "15"
}

variable "kms_key_arn" {
  description = "managed: customer-managed KMS key for storage and Performance Insights."
  type        = string
  default     = null
}

variable "backup_retention_days" {
  description = "managed: days of automated backups (point-in-time recovery)."
  type        = number
  default     = 14
}

variable "chart_version" {
  description = "in_cluster: version of the bitnami/postgresql chart."
  type        = string
  default     = "16.4.5"
}

variable "image_repository" {
  description = "in_cluster: PostgreSQL image repository (bitnamilegacy keeps the chart's versioned tags; use your own mirror or Bitnami Secure Images for anything long-lived)."
  type        = string
  default     = "bitnamilegacy/postgresql"
}

variable "extra_values" {
  description = "in_cluster: extra Helm values (YAML) for the bitnami/postgresql chart."
  type        = string
  default     = ""
}
