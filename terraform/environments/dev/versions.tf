terraform {
  required_version = ">= 1.6"
  required_providers {
    aws        = { source = "hashicorp/aws", version = ">= 5.40, < 7.0" }
    helm       = { source = "hashicorp/helm", version = "~> 3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.25, < 4.0" }
    random     = { source = "hashicorp/random", version = ">= 3.6, < 4.0" }
  }
}

provider "kubernetes" {
  config_path    = var.kubeconfig
  config_context = var.kube_context
}

# helm provider 3.x: the cluster is an attribute (`kubernetes = {...}`), not a block.
provider "helm" {
  kubernetes = {
    config_path    = var.kubeconfig
    config_context = var.kube_context
  }
}

# Required by the modules' managed variants, unused in dev (everything runs in-cluster).
# The provider still wants some credentials to configure: without an AWS profile, export
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY with any placeholder values (see README).
provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
