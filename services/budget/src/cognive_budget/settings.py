"""Budget's settings: the shared service settings plus the pre-flight and loop knobs."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cognive_runtime.settings import ServiceSettings


class BudgetSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COGNIVE_BUDGET_", extra="ignore", frozen=True)

    service: str = "budget"
    http_port: int = 8004
    http_workers: int = Field(default=1, ge=1)
    loops_enabled: bool = True
    # A reservation the priced call never settles (the agent crashed, the call was not
    # made) is released after this long.
    reservation_ttl_s: int = Field(default=300, ge=1)
    # When only others' reservations block a check, they settle within seconds.
    reserved_retry_after_s: int = Field(default=2, ge=1)
    # While the Redis counters are rebuilt from the ledger, checks fail closed with this.
    rebuilding_retry_after_s: int = Field(default=1, ge=1)
    # A model budget has not yet seen priced: the rate an estimate in tokens is taken at.
    fallback_micros_per_mtok: int = Field(default=20_000_000, ge=0)
    # How stale each check's in-process view of the policies may be.
    policy_refresh_s: float = Field(default=0.5, gt=0)
    agent_cache_ttl_s: float = Field(default=5.0, ge=0)
    roller_interval_s: float = Field(default=1.0, gt=0)
    expiry_interval_s: float = Field(default=1.0, gt=0)
    rebuild_poll_s: float = Field(default=0.2, gt=0)
    projection_chunk_size: int = Field(default=500, ge=1)
    projection_idle_poll_s: float = 0.05
    page_size_default: int = 50
    page_size_max: int = 500
