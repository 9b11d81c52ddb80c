variable "kubeconfig" {
  description = "Path of the kubeconfig of the development cluster."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "Context to use (e.g. kind-cognive, minikube)."
  type        = string
  default     = null
}

variable "image_tag" {
  description = "Tag of the images to run; empty = the charts' appVersion."
  type        = string
  default     = ""
}
