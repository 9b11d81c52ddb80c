variable "mode" {
  description = "\"managed\" (Amazon MQ for RabbitMQ) or \"in_cluster\" (a Helm release, for dev)."
  type        = string
  validation {
    condition     = contains(["managed", "in_cluster"], var.mode)
    error_message = "mode must be managed or in_cluster."
  }
}

variable "name" {
  description = "Name of the broker or release."
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

variable "subnet_ids" {
  description = "managed: private subnets; three give a cluster of three brokers (quorum queues need it)."
  type        = list(string)
  default     = []
}

variable "security_group_ids" {
  description = "managed: security groups allowing AMQPS (5671) from the cluster."
  type        = list(string)
  default     = []
}

variable "instance_type" {
  description = "managed: broker instance type."
  type        = string
  default     = "mq.m5.large"
}

variable "engine_version" {
  description = "managed: RabbitMQ version (3.13 or later for quorum queue features the topology uses)."
  type        = string
  default     = "3.13"
}

variable "chart_version" {
  description = "in_cluster: version of the bitnami/rabbitmq chart."
  type        = string
  default     = "15.3.2"
}

variable "image_repository" {
  description = "in_cluster: RabbitMQ image repository (bitnamilegacy keeps the chart's versioned tags; use your own mirror or Bitnami Secure Images for anything long-lived)."
  type        = string
  default     = "bitnamilegacy/rabbitmq"
}

variable "extra_values" {
  description = "in_cluster: extra Helm values (YAML) for the bitnami/rabbitmq chart."
  type        = string
  default     = ""
}
