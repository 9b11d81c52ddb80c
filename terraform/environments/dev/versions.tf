terraform {
  required_version = ">= 1.6"
  required_providers {
    aws        = { source = "hashicorp/aws", version = ">= 5.40, < 7.0" }
    helm       = { source = "hashicorp/helm", version = ">= 2.12, < 4.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.25, < 3.0" }
    random     = { source = "hashicorp/random", version = ">= 3.6, < 4.0" }
  }
}

provider "kubernetes" {
  config_path    = var.kubeconfig
  config_context = var.kube_context
}

provider "helm" {
  kubernetes {
    config_path    = var.kubeconfig
    config_context = var.kube_context
  }
}

# Declared for the modules' managed variants, unused in dev (everything runs in-cluster).
provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
