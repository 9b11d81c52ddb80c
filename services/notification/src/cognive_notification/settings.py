"""Notification's settings: SMTP, encryption keys, SSRF allow-list, retry schedule."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from cognive_runtime.settings import ServiceSettings

# Development only (like the JWT dev secret): production sets its own keys.
DEV_KEY = "Y29nbml2ZS1kZXYtb25seS1ub3QtYS1zZWNyZXQtISE="


class NotificationSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="COGNIVE_NOTIFICATION_", extra="ignore", frozen=True
    )

    service: str = "notification"
    http_port: int = 8005
    http_workers: int = Field(default=1, ge=1)
    loops_enabled: bool = True

    # Fernet keys (urlsafe base64 of 32 bytes); the first encrypts, all decrypt.
    secret_keys: list[SecretStr] = Field(default_factory=lambda: [SecretStr(DEV_KEY)])
    # How long a rotated-out webhook secret still signs (two signatures in the header).
    secret_rotation_grace_s: int = Field(default=24 * 3600, ge=0)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "Cognive <alerts@cognive.local>"
    smtp_timeout_s: float = 10.0
    console_url: str = "http://localhost:5173"

    # Networks (CIDR) webhooks may reach despite the SSRF guard: development and tests.
    webhook_allow_networks: list[str] = Field(default_factory=list)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # Seconds to wait before each retry (the last repeats), and when to give up.
    retry_schedule_s: list[float] = Field(default=[5, 300, 1_800, 7_200, 18_000, 36_000])
    give_up_after_s: float = 3 * 24 * 3600
    # A channel failing without a success for this long is disabled and its team told.
    disable_after_s: float = 3 * 24 * 3600
    worker_batch: int = Field(default=20, ge=1)
    worker_concurrency: int = Field(default=8, ge=1)
    worker_idle_poll_s: float = 0.5
    projection_idle_poll_s: float = 0.05
