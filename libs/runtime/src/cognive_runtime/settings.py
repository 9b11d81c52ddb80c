"""Settings every service shares; a service subclasses with its own env prefix.

`COGNIVE_<SERVICE>_POSTGRES_DSN` and friends. Defaults point at the local services so that
tests and the demo work on a machine that runs Postgres, RabbitMQ and Redis on loopback.
"""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cognive_runtime.amqp.content_encoding import ContentEncoding

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COGNIVE_", extra="ignore", frozen=True)

    service: str = Field(description="Service name: ingest, registry, cost, budget, notification")
    environment: str = "dev"

    postgres_dsn: str = "postgresql://postgres@127.0.0.1:5432/test"
    db_schema: str = Field(default="", description="Postgres schema; defaults to the service name")
    db_pool_min: int = 2
    db_pool_max: int = 10
    # Every role gets this so that a forgotten transaction cannot hold the gap-free
    # readers' horizon (ARCHITECTURE §2) for long.
    idle_in_transaction_timeout_ms: int = 60_000

    rabbitmq_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    # Prefix applied to every exchange and queue name: test runs isolate themselves with it.
    amqp_prefix: str = ""
    consumer_prefetch: int = 32
    # How long a consumer holds a message through infrastructure trouble before it gives
    # up and lets the broker redeliver: well inside RabbitMQ's consumer timeout (30 min).
    consumer_hold_budget_s: float = Field(default=900.0, gt=0)
    consumer_retry_max_wait_s: float = Field(default=5.0, gt=0)
    relay_events_per_message: int = Field(default=100, ge=1)
    relay_page_size: int = Field(default=5_000, ge=1)
    relay_max_in_flight: int = Field(default=64, ge=1)
    relay_idle_poll_s: float = 0.05
    # What the relay's message bodies are encoded with (ADR 0018). Consumers read both, so
    # "identity" is only for a consumer outside Cognive that cannot read zstd.
    relay_content_encoding: ContentEncoding = "zstd"

    redis_url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")
    redis_prefix: str = ""
    # A burst of requests waits up to the timeout for one of these connections: redis-py's
    # plain pool fails a command (MaxConnectionsError) once they are all in use.
    redis_pool_max: int = Field(default=100, ge=1)
    redis_pool_timeout_s: float = Field(default=5.0, gt=0)

    http_host: str = "127.0.0.1"
    http_port: int = 8000
    cors_origins: list[str] = Field(default_factory=list)

    jwt_hs256_secret: SecretStr = SecretStr("dev-only-insecure-signing-secret-change-me")
    jwt_issuer: str = "cognive-dev"
    jwt_audience: str = "cognive"
    # HS256 tokens signed with jwt_hs256_secret (registry's dev login). Turn off where OIDC
    # is the only identity source.
    jwt_accept_dev_tokens: bool = True
    oidc_jwks_url: str | None = None
    oidc_issuer: str | None = None
    oidc_audience: str | None = Field(default=None, description="Defaults to jwt_audience")
    oidc_groups_claim: str = "groups"
    # Group name -> "<team_id>:<role>", or "*:<role>" for an org-wide role.
    oidc_group_role_map: dict[str, str] = Field(default_factory=dict)
    rate_limit_per_key_per_s: int = 200
    api_key_cache_ttl_s: int = 5

    log_level: str = "INFO"
    log_json: bool = True
    otlp_endpoint: str | None = None
    shutdown_grace_s: float = 25.0

    @field_validator("db_schema")
    @classmethod
    def _schema_is_identifier(cls, value: str) -> str:
        if value and not _IDENTIFIER.match(value):
            raise ValueError("must be a lower-case SQL identifier")
        return value

    @property
    def schema_name(self) -> str:
        return self.db_schema or self.service
