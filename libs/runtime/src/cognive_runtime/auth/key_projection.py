"""Each service's own projection of ``registry.api_key.*`` and the key lookup on top of it.

Postgres (table ``api_keys``, runtime migration 0002) is the truth; Redis holds a
short-lived cache shared by every replica of the service, under ``<prefix>api_key:<id>``.

Revocation must reach every replica within seconds. The revoke handler therefore
*overwrites* the cache entry with a "revoked" marker (it does not merely delete it), and
lookups fill the cache only with ``SET NX``. Whatever the interleaving with a lookup that
read Postgres just before the revoke committed, the marker wins; by the time it expires the
revoke has long committed. A revoke arriving before its issue leaves a tombstone row
(``secret_sha256 = ''``) that the later issue cannot clear.

When Redis is unreachable, lookups fall back to Postgres (the key check keeps working) and
the revoke handler raises, so the consumer holds and retries the revoke until the marker
is written.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, cast

import asyncpg
import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from cognive_contracts.events.registry import ApiKeyIssuedV1, ApiKeyRevokedV1
from cognive_runtime.auth.api_key_format import Scope, parse_api_key, verify_api_key_hash
from cognive_runtime.auth.principals import ApiKeyPrincipal
from cognive_runtime.consumer.types import Handler, Inbound
from cognive_runtime.metrics import API_KEY_REFUSALS

log = structlog.get_logger(__name__)

ISSUED: Final = ApiKeyIssuedV1.event_type
REVOKED: Final = ApiKeyRevokedV1.event_type

_UPSERT_ISSUED = """
INSERT INTO api_keys (key_id, prefix, secret_sha256, team_id, scopes, name, expires_at,
                      issued_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (key_id) DO UPDATE SET
    prefix = excluded.prefix, secret_sha256 = excluded.secret_sha256,
    team_id = excluded.team_id, scopes = excluded.scopes, name = excluded.name,
    expires_at = excluded.expires_at, issued_at = excluded.issued_at
"""  # revoked_at is left alone on purpose: an earlier revoke must survive a late issue.

_UPSERT_REVOKED = """
INSERT INTO api_keys (key_id, secret_sha256, team_id, revoked_at)
VALUES ($1, '', $2, $3)
ON CONFLICT (key_id) DO UPDATE SET
    revoked_at = LEAST(COALESCE(api_keys.revoked_at, excluded.revoked_at), excluded.revoked_at)
"""

_SELECT = """
SELECT key_id, prefix, secret_sha256, team_id, scopes, expires_at, revoked_at
FROM api_keys WHERE key_id = $1
"""

# Deletes an entry only if it is the "unknown key" marker, so that a freshly issued key
# works at once while a revoke marker (revoke consumed before issue) stays.
_DROP_IF_MISSING = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_MISSING: Final = json.dumps({"state": "missing"})
_REVOKED: Final = json.dumps({"state": "revoked"})


def cache_key(prefix: str, key_id: str) -> str:
    return f"{prefix}api_key:{key_id}"


async def apply_issued(conn: asyncpg.Connection, events: Sequence[ApiKeyIssuedV1]) -> None:
    await conn.executemany(
        _UPSERT_ISSUED,
        [
            (
                e.key_id,
                e.prefix,
                e.secret_sha256,
                e.team_id,
                list(e.scopes),
                e.name,
                e.expires_at,
                e.issued_at,
            )
            for e in events
        ],
    )


async def apply_revoked(conn: asyncpg.Connection, events: Sequence[ApiKeyRevokedV1]) -> None:
    await conn.executemany(_UPSERT_REVOKED, [(e.key_id, e.team_id, e.revoked_at) for e in events])


class ApiKeyProjection:
    """Consumer handlers for ``registry.api_key.issued.v1`` / ``.revoked.v1``.

    Register ``handlers()`` with the service's consumer; each runs inside the consumer's
    transaction. Idempotent and order-insensitive (a duplicate or a late issue changes
    nothing a revoke decided)."""

    def __init__(self, redis: aioredis.Redis, prefix: str, *, revoked_ttl_s: float = 600) -> None:
        self._redis = redis
        self._prefix = prefix
        self._revoked_ttl_ms = int(revoked_ttl_s * 1000)
        self._drop_if_missing = redis.register_script(_DROP_IF_MISSING)

    def handlers(self) -> Mapping[str, Handler]:
        return {ISSUED: self.on_issued, REVOKED: self.on_revoked}

    async def on_issued(
        self, conn: asyncpg.Connection, events: Sequence[Inbound[ApiKeyIssuedV1]]
    ) -> None:
        await apply_issued(conn, [e.payload for e in events])
        for event in events:
            try:
                await self._drop_if_missing(
                    keys=[cache_key(self._prefix, event.payload.key_id)], args=[_MISSING]
                )
            except RedisError as exc:  # a stale "unknown" entry expires within a second
                log.warning("api_key.cache_unavailable", op="issue", error=str(exc))
        log.info("api_key.projected", type=ISSUED, events=len(events))

    async def on_revoked(
        self, conn: asyncpg.Connection, events: Sequence[Inbound[ApiKeyRevokedV1]]
    ) -> None:
        await apply_revoked(conn, [e.payload for e in events])
        # Errors propagate: the consumer must retry until every replica will refuse the key.
        await self.mark_revoked([e.payload.key_id for e in events])
        log.info("api_key.projected", type=REVOKED, events=len(events))

    async def mark_revoked(self, key_ids: Sequence[str]) -> None:
        """Overwrite the cache entries with a "revoked" marker (never a plain delete: a
        lookup racing the revoke could otherwise put the active record back). Registry,
        which revokes in its own transaction, calls this after commit."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for key_id in key_ids:
                pipe.set(cache_key(self._prefix, key_id), _REVOKED, px=self._revoked_ttl_ms)
            await pipe.execute()


@dataclass(frozen=True, slots=True)
class _Record:
    state: str  # "active" | "revoked" | "missing"
    key_id: str = ""
    prefix: str = ""
    secret_sha256: str = ""
    team_id: str = ""
    scopes: tuple[str, ...] = ()
    expires_at: datetime | None = None

    def to_json(self) -> str:
        if self.state != "active":
            return json.dumps({"state": self.state})
        return json.dumps(
            {
                "state": "active",
                "key_id": self.key_id,
                "prefix": self.prefix,
                "secret_sha256": self.secret_sha256,
                "team_id": self.team_id,
                "scopes": list(self.scopes),
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            }
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> _Record:
        data: dict[str, Any] = json.loads(raw)
        if data["state"] != "active":
            return cls(state=str(data["state"]))
        expires = data.get("expires_at")
        return cls(
            state="active",
            key_id=data["key_id"],
            prefix=data["prefix"],
            secret_sha256=data["secret_sha256"],
            team_id=data["team_id"],
            scopes=tuple(data["scopes"]),
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )


class ApiKeyStore:
    """Authenticates API keys against this service's projection (set as
    ``app.state.api_keys``). ``prefix`` namespaces the Redis keys and should be per
    service, e.g. ``f"{settings.redis_prefix}{settings.service}:"``."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        redis: aioredis.Redis,
        prefix: str,
        cache_ttl_s: float = 5.0,
        *,
        negative_ttl_s: float = 1.0,
        revoked_ttl_s: float = 600.0,
    ) -> None:
        self._pool = pool
        self._redis = redis
        self._prefix = prefix
        self._ttl_ms = {
            "active": int(cache_ttl_s * 1000),
            "missing": int(negative_ttl_s * 1000),
            "revoked": int(revoked_ttl_s * 1000),
        }
        self.projection = ApiKeyProjection(redis, prefix, revoked_ttl_s=revoked_ttl_s)

    async def lookup(self, plaintext: str) -> ApiKeyPrincipal | None:
        """The key's principal, or None when it is malformed, unknown, wrong, revoked or
        expired (the reason is logged, never returned: callers answer one 401 for all)."""
        parsed = parse_api_key(plaintext)
        if parsed is None:
            log.info("api_key.refused", reason="malformed")
            API_KEY_REFUSALS.labels("malformed").inc()
            return None
        record = await self._record(parsed.key_id)
        reason = self._refusal(record, plaintext)
        if reason is not None:
            log.info("api_key.refused", reason=reason, key_id=parsed.key_id)
            API_KEY_REFUSALS.labels(reason).inc()
            return None
        return ApiKeyPrincipal(
            key_id=record.key_id,
            team_id=record.team_id,
            scopes=frozenset(cast(tuple[Scope, ...], record.scopes)),
            prefix=record.prefix,
            expires_at=record.expires_at,
        )

    @staticmethod
    def _refusal(record: _Record, plaintext: str) -> str | None:
        if record.state != "active":
            return record.state
        # Compare before looking at expiry so a wrong secret and an expired key cost the same.
        if not verify_api_key_hash(plaintext, record.secret_sha256):
            return "wrong_secret"
        if record.expires_at is not None and record.expires_at <= datetime.now(UTC):
            return "expired"
        return None

    async def _record(self, key_id: str) -> _Record:
        redis_key = cache_key(self._prefix, key_id)
        try:
            raw = await self._redis.get(redis_key)
        except RedisError as exc:
            log.warning("api_key.cache_unavailable", op="get", error=str(exc))
            return await self._load(key_id)
        if raw is not None:
            return _Record.from_json(raw)
        record = await self._load(key_id)
        try:
            # NX: never overwrite a revoke marker written while we were reading Postgres.
            await self._redis.set(
                redis_key, record.to_json(), px=max(1, self._ttl_ms[record.state]), nx=True
            )
        except RedisError as exc:
            log.warning("api_key.cache_unavailable", op="set", error=str(exc))
        return record

    async def _load(self, key_id: str) -> _Record:
        row = await self._pool.fetchrow(_SELECT, key_id)
        if row is None:
            return _Record(state="missing")
        if row["revoked_at"] is not None:
            return _Record(state="revoked")
        return _Record(
            state="active",
            key_id=row["key_id"],
            prefix=row["prefix"] or "",
            secret_sha256=row["secret_sha256"],
            team_id=row["team_id"] or "",
            scopes=tuple(row["scopes"] or ()),
            expires_at=row["expires_at"],
        )
