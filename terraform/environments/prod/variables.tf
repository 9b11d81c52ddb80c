variable "region" {
  description = "AWS region."
  type        = string
}

variable "kubeconfig" {
  description = "Path of the kubeconfig of the production cluster."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "Context of the production cluster."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster and the data services."
  type        = string
}

variable "private_subnet_ids" {
  description = "Three private subnets in three AZs."
  type        = list(string)
}

variable "cluster_cidr_blocks" {
  description = "The cluster's node/pod CIDRs, allowed to reach the data services."
  type        = list(string)
}

variable "data_security_group_ids" {
  description = "Security groups for the broker and Redis (AMQPS 5671, Redis 6379 from the cluster)."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for data at rest."
  type        = string
}

variable "image_tag" {
  description = "Release tag of the images."
  type        = string
}

variable "oidc" {
  description = "The identity provider people sign in with."
  type = object({
    issuer            = string
    jwks_url          = string
    audience          = string
    console_client_id = string
    group_role_map    = map(string)
  })
}

variable "ingress_host" {
  description = "Public host of the API and the console."
  type        = string
}
