terraform {
  required_version = ">= 1.6"
  required_providers {
    aws    = { source = "hashicorp/aws", version = ">= 5.40, < 7.0" }
    helm   = { source = "hashicorp/helm", version = ">= 2.12, < 4.0" }
    random = { source = "hashicorp/random", version = ">= 3.6, < 4.0" }
  }
}
