"""Registry's settings: the shared service settings plus login and bootstrap."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cognive_runtime.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COGNIVE_REGISTRY_", extra="ignore", frozen=True)

    service: str = "registry"
    http_port: int = 8002
    # The development login issues HS256 tokens to anyone who names a known e-mail: on
    # only where `environment` is dev unless said otherwise; production uses OIDC.
    dev_login_enabled: bool | None = None
    dev_token_ttl_s: int = 8 * 3600
    # The first organisation admin, created at start-up if no user has that address yet
    # (ADR 0007). Without it, nobody could create the first team.
    bootstrap_admin_email: str | None = None
    page_size_default: int = 50
    page_size_max: int = 500

    @property
    def dev_login(self) -> bool:
        if self.dev_login_enabled is None:
            return self.environment == "dev"
        return self.dev_login_enabled
