"""Ingest's settings: the shared service settings plus the batch limits and loop knobs."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cognive_runtime.settings import ServiceSettings


class IngestSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COGNIVE_INGEST_", extra="ignore", frozen=True)

    service: str = "ingest"
    http_port: int = 8001
    # Worker processes serving HTTP (each also runs the loops; leader locks keep one active
    # relay, projection runner and policy checker among them).
    http_workers: int = Field(default=1, ge=1)
    # One POST /v1/events: at most this many events and this many bytes once decompressed
    # (also the cap on the compressed body read from the socket).
    max_batch_events: int = Field(default=1_000, ge=1)
    max_batch_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    # False for API-only replicas, when the loops (relay, projections, policy checker,
    # consumer) run in a deployment of their own.
    loops_enabled: bool = True
    # The loops share the event loop with HTTP: chunks are kept small so that none holds
    # it for more than a few milliseconds (the p99 of POST /v1/events depends on it).
    relay_page_size: int = Field(default=1_000, ge=1)
    policy_chunk_size: int = Field(default=500, ge=1)
    policy_idle_poll_s: float = 0.1
    projection_chunk_size: int = Field(default=500, ge=1)
    projection_idle_poll_s: float = 0.1
    # GET list pages.
    page_size_default: int = 50
    page_size_max: int = 500
