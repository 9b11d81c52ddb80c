terraform {
  required_version = ">= 1.6"
  required_providers {
    helm       = { source = "hashicorp/helm", version = ">= 2.12, < 4.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.25, < 3.0" }
    random     = { source = "hashicorp/random", version = ">= 3.6, < 4.0" }
  }
}
