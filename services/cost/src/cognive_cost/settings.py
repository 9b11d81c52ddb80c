"""Cost's settings: the shared service settings plus pricing, cache and loop knobs."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cognive_runtime.settings import ServiceSettings


class CostSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COGNIVE_COST_", extra="ignore", frozen=True)

    service: str = "cost"
    http_port: int = 8003
    http_workers: int = Field(default=1, ge=1)
    loops_enabled: bool = True
    # Seed the catalog from the installed genai-prices at start-up (idempotent).
    seed_catalog: bool = True
    # Calls repriced per transaction when a price change reaches into the past.
    repricing_chunk: int = Field(default=500, ge=1)
    repricer_idle_poll_s: float = Field(default=0.5, gt=0)
    projection_chunk_size: int = Field(default=1_000, ge=1)
    projection_idle_poll_s: float = 0.05
    # Trends and summaries are cached per rollup position (so never stale); this bounds
    # how long an unread entry stays.
    cache_ttl_s: int = Field(default=300, ge=1)
    # Off only to measure the queries themselves (bench/cost.py).
    cache_enabled: bool = True
    page_size_max: int = 500
