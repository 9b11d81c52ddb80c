"""The clients a service holds, opened once in the app's lifespan and passed down.

Also the standard loops built from them: the relay and projection runners under leader
locks (one active replica), consumers in every replica (the inbox makes that safe)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg
import redis.asyncio as aioredis
from aio_pika.abc import AbstractRobustConnection

from cognive_contracts.events import model_for
from cognive_contracts.routing import topic_matches
from cognive_contracts.topology import TopologyManifest, load_manifest
from cognive_runtime.amqp import connect_amqp, declare_topology
from cognive_runtime.auth import ApiKeyStore, JwtVerifier, RateLimiter
from cognive_runtime.consumer import Consumer, Handler, Route
from cognive_runtime.db import apply_migrations, create_pool
from cognive_runtime.db.migrations import Migration
from cognive_runtime.eventlog import signal
from cognive_runtime.eventlog.signal import LogSignal
from cognive_runtime.leader import LeaderLock, LeaderLoop
from cognive_runtime.loops import Loop
from cognive_runtime.projections import Projection, ProjectionRunner
from cognive_runtime.relay import Relay
from cognive_runtime.settings import ServiceSettings


@dataclass
class ServiceResources:
    settings: ServiceSettings
    pool: asyncpg.Pool
    redis: aioredis.Redis
    amqp: AbstractRobustConnection
    manifest: TopologyManifest
    api_keys: ApiKeyStore
    jwt_verifier: JwtVerifier
    rate_limiter: RateLimiter
    started: bool = field(default=False)
    # What must have been true once before the service takes traffic (e.g. budget's Redis
    # counters loaded): checked by /health/startup and /health/ready until all pass, then
    # latched, so a later loss is the service's own business (budget fails closed with 429
    # rather than disappearing behind a 503).
    startup_checks: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict)
    warmed_up: bool = field(default=False)
    # Wakes the relay and projection runners on an append (and the other replicas' on theirs).
    log_signal: LogSignal | None = field(default=None)

    async def warm(self) -> dict[str, str]:
        if self.warmed_up:
            return {}
        results = {}
        for name, check in self.startup_checks.items():
            try:
                results[name] = "ok" if await check() else "pending"
            except Exception as exc:
                results[name] = type(exc).__name__
        if all(v == "ok" for v in results.values()):
            self.warmed_up = True
        return results

    @property
    def redis_prefix(self) -> str:
        return f"{self.settings.redis_prefix}{self.settings.service}:"

    def leader(self, loop: Loop) -> Loop:
        s = self.settings
        return LeaderLoop(loop, LeaderLock(s.postgres_dsn, s.schema_name, loop.name))

    def relay(self) -> Loop:
        return self.leader(
            Relay.from_settings(self.settings, self.pool, self.amqp, self.log_signal)
        )

    def projections(
        self,
        projections: Projection | Sequence[Projection],
        *,
        chunk_size: int = 1000,
        idle_poll_s: float = 0.1,
    ) -> Loop:
        """One leader loop for the service's projections: they share each read of the log."""
        runner = ProjectionRunner(
            self.pool,
            projections,
            self.settings.service,
            chunk_size=chunk_size,
            idle_poll_s=idle_poll_s,
            signal=self.log_signal,
        )
        return self.leader(runner)

    def consumer(self, queue: str, handlers: Mapping[str, Handler | Route]) -> Loop:
        """A consumer of one of this service's manifest queues (unprefixed name). The API-key
        projection's handlers are added when the queue carries `registry.api_key.*`, so no
        service can forget them."""
        routes: dict[str, Route] = {}
        for key, handler in handlers.items():
            routes[key] = handler if isinstance(handler, Route) else Route(model_for(key), handler)
        spec = next(
            q
            for q in self.manifest.service(self.settings.service).queues
            if q.name == self.settings.amqp_prefix + queue
        )
        for key, handler in self.api_keys.projection.handlers().items():
            if key not in routes and any(topic_matches(b, key) for b in spec.bindings):
                routes[key] = Route(model_for(key), handler)
        return Consumer.from_settings(
            self.settings, self.pool, self.amqp, queue=queue, routes=routes
        )


def redis_client(settings: ServiceSettings) -> aioredis.Redis:
    """The process's Redis client: at most `redis_pool_max` connections, and a command that
    finds them all busy waits for one (a thousand concurrent pre-flight checks failed with
    the default pool, which raises instead)."""
    pool = aioredis.BlockingConnectionPool.from_url(
        settings.redis_url.get_secret_value(),
        max_connections=settings.redis_pool_max,
        timeout=settings.redis_pool_timeout_s,
    )
    return aioredis.Redis.from_pool(pool)


async def open_resources(
    settings: ServiceSettings, migrations: Sequence[Migration] = ()
) -> ServiceResources:
    """Migrate (under the advisory lock), then open the pool, Redis and the broker, and
    declare this service's part of the topology (idempotent)."""
    conn = await asyncpg.connect(settings.postgres_dsn)
    try:
        await apply_migrations(conn, settings.schema_name, list(migrations))
    finally:
        await conn.close()
    pool = await create_pool(
        settings.postgres_dsn,
        settings.schema_name,
        application_name=f"cognive-{settings.service}",
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        idle_in_transaction_timeout_ms=settings.idle_in_transaction_timeout_ms,
    )
    redis = redis_client(settings)
    amqp = await connect_amqp(settings.rabbitmq_url.get_secret_value(), name=settings.service)
    manifest = load_manifest().with_prefix(settings.amqp_prefix)
    await declare_topology(amqp, manifest, [settings.service])
    prefix = f"{settings.redis_prefix}{settings.service}:"
    log_signal = LogSignal(settings.postgres_dsn, settings.schema_name, pool)
    signal.install(log_signal)
    return ServiceResources(
        settings=settings,
        pool=pool,
        redis=redis,
        amqp=amqp,
        manifest=manifest,
        api_keys=ApiKeyStore(pool, redis, prefix, cache_ttl_s=settings.api_key_cache_ttl_s),
        jwt_verifier=JwtVerifier.from_settings(settings),
        rate_limiter=RateLimiter(redis, prefix, settings.rate_limit_per_key_per_s),
        log_signal=log_signal,
    )


async def close_resources(res: ServiceResources) -> None:
    signal.install(None)
    with contextlib.suppress(Exception):
        await res.amqp.close()
    with contextlib.suppress(Exception):
        await res.redis.aclose()
    with contextlib.suppress(Exception):
        await res.pool.close()
