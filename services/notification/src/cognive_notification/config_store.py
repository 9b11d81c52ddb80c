"""The delivery configuration of each channel, encrypted at rest: URL, custom headers,
recipients, and the webhook signing secrets (with the grace period of a rotation)."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
from pydantic import BaseModel, ConfigDict

from cognive_notification.crypto import SecretBox


class ChannelConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    url: str | None = None
    headers: dict[str, str] = {}
    recipients: list[str] = []


class ConfigStore:
    def __init__(self, box: SecretBox) -> None:
        self.box = box

    async def put(
        self, conn: asyncpg.Connection, channel_id: str, config: ChannelConfig, at: datetime
    ) -> None:
        await conn.execute(
            "INSERT INTO channel_config (channel_id, config_enc, updated_at) VALUES ($1, $2, $3)"
            " ON CONFLICT (channel_id) DO UPDATE SET config_enc = excluded.config_enc,"
            " updated_at = excluded.updated_at",
            channel_id,
            self.box.encrypt(config.model_dump_json()),
            at,
        )

    async def get(self, conn: asyncpg.Connection | asyncpg.Pool, channel_id: str) -> ChannelConfig:
        token = await conn.fetchval(
            "SELECT config_enc FROM channel_config WHERE channel_id = $1", channel_id
        )
        if token is None:
            return ChannelConfig()
        return ChannelConfig.model_validate_json(self.box.decrypt(token))

    async def add_secret(
        self,
        conn: asyncpg.Connection,
        channel_id: str,
        secret: str,
        at: datetime,
        grace: timedelta,
    ) -> None:
        """The new secret signs from now; the ones before it stop after `grace`."""
        await conn.execute(
            "UPDATE channel_secrets SET expires_at = $2 WHERE channel_id = $1"
            " AND (expires_at IS NULL OR expires_at > $2)",
            channel_id,
            at + grace,
        )
        await conn.execute(
            "INSERT INTO channel_secrets (channel_id, secret_enc, created_at) VALUES ($1, $2, $3)",
            channel_id,
            self.box.encrypt(secret),
            at,
        )

    async def secrets(
        self, conn: asyncpg.Connection | asyncpg.Pool, channel_id: str, at: datetime
    ) -> list[str]:
        """Valid secrets, newest first."""
        rows = await conn.fetch(
            "SELECT secret_enc FROM channel_secrets WHERE channel_id = $1"
            " AND (expires_at IS NULL OR expires_at > $2) ORDER BY created_at DESC",
            channel_id,
            at,
        )
        return [self.box.decrypt(r["secret_enc"]) for r in rows]

    async def reencrypt(self, conn: asyncpg.Connection) -> int:
        """After a new key is put first in settings: re-encrypt everything with it."""
        n = 0
        for row in await conn.fetch("SELECT channel_id, config_enc FROM channel_config"):
            await conn.execute(
                "UPDATE channel_config SET config_enc = $2 WHERE channel_id = $1",
                row["channel_id"],
                self.box.rotate(row["config_enc"]),
            )
            n += 1
        for row in await conn.fetch(
            "SELECT channel_id, created_at, secret_enc FROM channel_secrets"
        ):
            await conn.execute(
                "UPDATE channel_secrets SET secret_enc = $3"
                " WHERE channel_id = $1 AND created_at = $2",
                row["channel_id"],
                row["created_at"],
                self.box.rotate(row["secret_enc"]),
            )
            n += 1
        return n
