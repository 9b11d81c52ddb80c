"""What every service process is made of: resources opened in the lifespan, the FastAPI app
with health, metrics and problem+json, the background loops, and a graceful `serve`."""

from cognive_runtime.service.app import create_service_app
from cognive_runtime.service.resources import ServiceResources, close_resources, open_resources
from cognive_runtime.service.serve import serve

__all__ = [
    "ServiceResources",
    "close_resources",
    "create_service_app",
    "open_resources",
    "serve",
]
