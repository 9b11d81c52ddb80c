"""Client settings, from arguments or the environment (COGNIVE_*)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Optional

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in ("0", "false", "no", "off", "")


@dataclass
class Config:
    api_key: Optional[str] = None
    # One base URL serves every service behind the umbrella chart's Ingress; the per-service
    # URLs override it (development, or services exposed apart).
    base_url: str = DEFAULT_BASE_URL
    ingest_url: Optional[str] = None
    registry_url: Optional[str] = None
    budget_url: Optional[str] = None
    enabled: bool = True
    # Transport: a bounded buffer, flushed by size or time.
    max_queue: int = 10_000
    batch_size: int = 200
    flush_interval_s: float = 1.0
    request_timeout_s: float = 10.0
    max_backoff_s: float = 30.0
    exit_flush_timeout_s: float = 5.0
    gzip: bool = True
    # What a budget check does when the budget service cannot be reached.
    budget_fail_open: bool = True
    extra_headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        env = os.environ
        values: dict[str, Any] = {
            "api_key": env.get("COGNIVE_API_KEY"),
            "base_url": env.get("COGNIVE_BASE_URL", DEFAULT_BASE_URL),
            "ingest_url": env.get("COGNIVE_INGEST_URL"),
            "registry_url": env.get("COGNIVE_REGISTRY_URL"),
            "budget_url": env.get("COGNIVE_BUDGET_URL"),
            "enabled": _env_bool("COGNIVE_ENABLED", True),
            "budget_fail_open": _env_bool("COGNIVE_BUDGET_FAIL_OPEN", True),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def url(self, service: str) -> str:
        specific = {
            "ingest": self.ingest_url,
            "registry": self.registry_url,
            "budget": self.budget_url,
        }
        return (specific.get(service) or self.base_url).rstrip("/")
