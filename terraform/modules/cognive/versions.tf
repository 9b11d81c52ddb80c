terraform {
  required_version = ">= 1.6"
  required_providers {
    helm = { source = "hashicorp/helm", version = ">= 2.12, < 4.0" }
    # The *_v1 resources exist throughout 2.x and are the names 3.x keeps undeprecated.
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.25, < 4.0" }
    random     = { source = "hashicorp/random", version = ">= 3.6, < 4.0" }
  }
}
