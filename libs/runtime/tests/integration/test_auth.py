"""The auth mechanism against real Postgres and Redis: projection, lookup, HTTP guards."""

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import aio_pika
import httpx
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from aio_pika.abc import AbstractRobustConnection
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import REGISTRY

from cognive_contracts.envelope import CONTENT_TYPE_SINGLE, CloudEvent, encode_single
from cognive_contracts.events.base import ApiKeyScope, EventPayload
from cognive_contracts.events.registry import ApiKeyIssuedV1, ApiKeyRevokedV1
from cognive_contracts.topology import TopologyManifest
from cognive_runtime.auth import (
    ApiKeyStore,
    AuthDep,
    JwtConfig,
    JwtVerifier,
    Principal,
    RateLimiter,
    RoleBinding,
    generate_api_key,
    issue_dev_token,
    require_role,
    require_scope,
)
from cognive_runtime.auth.api_key_format import GeneratedKey, checksum
from cognive_runtime.auth.key_projection import cache_key
from cognive_runtime.consumer import Consumer, DlqTarget, Inbound
from cognive_runtime.problems import PROBLEM_CONTENT_TYPE, ProblemError
from cognive_runtime.testing import SchemaFactory, TestSchema, wait_until

pytestmark = pytest.mark.integration

SECRET = "integration-test-hs256-secret-long-enough"


def inbound(payload: EventPayload, subject: str) -> Inbound[Any]:
    envelope = CloudEvent(
        id=uuid.uuid4(),
        source="/cognive/registry",
        type=f"cognive.{payload.event_type}",
        subject=subject,
        time=datetime.now(UTC),
        dataschema=f"https://schemas.cognive.dev/events/{payload.event_type}.json",
        data=payload.model_dump(mode="json"),
    )
    return Inbound(envelope=envelope, payload=payload)


def issued_payload(key: GeneratedKey, scopes: list[ApiKeyScope]) -> ApiKeyIssuedV1:
    return ApiKeyIssuedV1(
        key_id=key.key_id,
        name="sdk key",
        prefix=key.prefix,
        secret_sha256=key.secret_sha256_hex,
        team_id="team-a",
        scopes=scopes,
        issued_at=datetime.now(UTC) - timedelta(minutes=1),
    )


@dataclass
class Env:
    schema: TestSchema
    redis: aioredis.Redis
    prefix: str
    store: ApiKeyStore

    async def in_tx(self, fn: Callable[[Any], Awaitable[None]]) -> None:
        async with self.schema.pool.acquire() as conn, conn.transaction():
            await fn(conn)

    async def issue(
        self,
        scopes: list[ApiKeyScope],
        team_id: str = "team-a",
        expires_at: datetime | None = None,
        key: GeneratedKey | None = None,
    ) -> GeneratedKey:
        key = key or generate_api_key("dev")
        payload = ApiKeyIssuedV1(
            key_id=key.key_id,
            name="sdk key",
            prefix=key.prefix,
            secret_sha256=key.secret_sha256_hex,
            team_id=team_id,
            scopes=scopes,
            issued_at=datetime.now(UTC) - timedelta(minutes=1),
            expires_at=expires_at,
        )
        event = inbound(payload, f"api_key-{key.key_id}")
        await self.in_tx(lambda conn: self.store.projection.on_issued(conn, [event]))
        return key

    async def revoke(self, key: GeneratedKey, team_id: str = "team-a") -> None:
        payload = ApiKeyRevokedV1(key_id=key.key_id, team_id=team_id, revoked_at=datetime.now(UTC))
        event = inbound(payload, f"api_key-{key.key_id}")
        await self.in_tx(lambda conn: self.store.projection.on_revoked(conn, [event]))


@pytest_asyncio.fixture
async def env(
    schemas: SchemaFactory, redis_client: aioredis.Redis, redis_prefix: str
) -> AsyncIterator[Env]:
    schema = await schemas.create("auth")
    yield Env(
        schema, redis_client, redis_prefix, ApiKeyStore(schema.pool, redis_client, redis_prefix)
    )


async def refused(store: ApiKeyStore, plaintext: str) -> bool:
    return await store.lookup(plaintext) is None


# ------------------------------------------------------------------ projection and lookup


async def test_issued_key_authenticates_with_its_team_and_scopes(env: Env) -> None:
    key = await env.issue(["events:write", "budget:check"], team_id="team-x")
    principal = await env.store.lookup(key.plaintext)
    assert principal is not None
    assert principal.key_id == key.key_id
    assert principal.team_id == "team-x"
    assert principal.scopes == {"events:write", "budget:check"}
    assert principal.prefix == key.prefix
    # Served from the cache the second time, same answer.
    assert await env.store.lookup(key.plaintext) == principal
    assert await env.redis.exists(cache_key(env.prefix, key.key_id))


def refusals(reason: str) -> float:
    return REGISTRY.get_sample_value("cognive_api_key_refusals_total", {"reason": reason}) or 0.0


async def test_unknown_wrong_and_malformed_keys_are_refused(env: Env) -> None:
    key = await env.issue(["read"])
    before = {r: refusals(r) for r in ("missing", "malformed", "wrong_secret")}
    assert await env.store.lookup(generate_api_key("dev").plaintext) is None
    typo = key.plaintext[:-1] + ("x" if key.plaintext[-1] != "x" else "y")
    assert await env.store.lookup(typo) is None
    # Same id, different secret, valid checksum: reaches the store and fails the hash.
    body = f"{key.prefix}_{'B' * 43}"
    assert await env.store.lookup(body + checksum(body)) is None
    assert await env.store.lookup("ck_dev_nonsense") is None
    assert await env.store.lookup(key.plaintext) is not None
    # Each refusal is counted by reason (a metric for leaked or stale keys still in use).
    assert refusals("missing") == before["missing"] + 1
    assert refusals("malformed") == before["malformed"] + 2
    assert refusals("wrong_secret") == before["wrong_secret"] + 1


async def test_expired_key_is_refused_even_from_the_cache(env: Env) -> None:
    past = await env.issue(["read"], expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await env.store.lookup(past.plaintext) is None
    soon = await env.issue(["read"], expires_at=datetime.now(UTC) + timedelta(seconds=2))
    assert await env.store.lookup(soon.plaintext) is not None  # now cached
    await wait_until(lambda: refused(env.store, soon.plaintext), timeout=10, message="expiry")


async def test_revoke_before_issue_still_wins_and_handlers_are_idempotent(env: Env) -> None:
    key = generate_api_key("dev")
    await env.revoke(key)
    await env.revoke(key)
    await env.issue(["admin"], key=key)
    await env.issue(["admin"], key=key)
    assert await env.store.lookup(key.plaintext) is None
    await env.redis.delete(cache_key(env.prefix, key.key_id))  # Postgres alone agrees
    assert await env.store.lookup(key.plaintext) is None
    row = await env.schema.pool.fetchrow("SELECT * FROM api_keys WHERE key_id = $1", key.key_id)
    assert row is not None
    assert row["revoked_at"] is not None
    assert row["secret_sha256"] == key.secret_sha256_hex
    assert row["scopes"] == ["admin"]


async def test_a_key_issued_after_a_miss_works_at_once(env: Env) -> None:
    key = generate_api_key("dev")
    assert await env.store.lookup(key.plaintext) is None  # caches "unknown" briefly
    await env.issue(["read"], key=key)
    assert await env.store.lookup(key.plaintext) is not None


async def test_revoked_key_is_refused_by_every_replica_within_5s(env: Env) -> None:
    key = await env.issue(["events:write"])
    replica_a = env.store
    replica_b = ApiKeyStore(env.schema.pool, env.redis, env.prefix)
    assert await replica_a.lookup(key.plaintext) is not None
    assert await replica_b.lookup(key.plaintext) is not None  # both see a warm cache

    await env.revoke(key)
    consumed = time.monotonic()
    for replica in (replica_a, replica_b):
        await wait_until(
            lambda r=replica: refused(r, key.plaintext), timeout=5, message="revocation"
        )
    assert time.monotonic() - consumed < 5


async def test_revoke_racing_a_cache_fill_cannot_resurrect_the_key(env: Env) -> None:
    keys = [await env.issue(["read"]) for _ in range(5)]

    async def hammer(k: GeneratedKey) -> None:
        for _ in range(20):
            await env.store.lookup(k.plaintext)

    revokes = [env.revoke(k) for k in keys]
    await asyncio.gather(*(hammer(k) for k in keys), *revokes)
    for k in keys:
        await wait_until(lambda k=k: refused(env.store, k.plaintext), timeout=5)


async def test_redis_keys_use_the_given_prefix(env: Env) -> None:
    key = await env.issue(["read"])
    await env.store.lookup(key.plaintext)
    limiter = RateLimiter(env.redis, env.prefix, per_second=10)
    await limiter.hit("api_key:x")
    found = [k async for k in env.redis.scan_iter(match=f"{env.prefix}*")]
    assert len(found) == 2


async def test_rate_limiter_is_atomic_under_concurrency(env: Env) -> None:
    limiter = RateLimiter(env.redis, env.prefix, per_second=0.1, burst=5)
    decisions = await asyncio.gather(*(limiter.hit("api_key:k") for _ in range(20)))
    assert sum(d.allowed for d in decisions) == 5
    refused_one = next(d for d in decisions if not d.allowed)
    assert 0 < refused_one.retry_after_s <= 10


# ------------------------------------------------------------------ FastAPI dependencies


def build_app(env: Env, limiter: RateLimiter | None) -> FastAPI:
    app = FastAPI()
    app.state.api_keys = env.store
    app.state.jwt_verifier = JwtVerifier(JwtConfig(hs256_secret=SECRET))
    app.state.rate_limiter = limiter

    @app.exception_handler(ProblemError)
    async def problem(request: Request, exc: ProblemError) -> JSONResponse:
        return JSONResponse(
            exc.body(str(request.url.path)),
            status_code=exc.status,
            headers=exc.headers,
            media_type=PROBLEM_CONTENT_TYPE,
        )

    @app.post("/v1/events")
    async def write(
        p: Annotated[Principal, Depends(require_scope("events:write"))],
    ) -> dict[str, str]:
        return {"subject": p.subject}

    @app.get("/v1/runs")
    async def read(p: Annotated[Principal, Depends(require_scope("read"))]) -> dict[str, str]:
        return {"subject": p.subject}

    @app.get("/whoami")
    async def whoami(p: AuthDep) -> dict[str, str]:
        return {"subject": p.subject}

    @app.put("/v1/teams/{team_id}/settings")
    async def settings(
        team_id: str, p: Annotated[Principal, Depends(require_role("team_lead"))]
    ) -> dict[str, str]:
        return {"team": team_id}

    @app.put("/v1/teams/{team_id}/agents")
    async def agents(
        team_id: str,
        p: Annotated[
            Principal, Depends(require_role("developer", api_key_scope="agents:register"))
        ],
    ) -> dict[str, str]:
        return {"team": team_id}

    return app


@pytest_asyncio.fixture
async def client(env: Env) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(env, RateLimiter(env.redis, env.prefix, per_second=1000))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE
    assert response.headers["www-authenticate"].startswith('Bearer realm="cognive"')
    assert response.json()["status"] == 401


async def test_api_keys_over_http(env: Env, client: httpx.AsyncClient) -> None:
    writer = await env.issue(["events:write"])
    reader = await env.issue(["read"])
    admin = await env.issue(["admin"])
    expired = await env.issue(["admin"], expires_at=datetime.now(UTC) - timedelta(seconds=5))
    revoked = await env.issue(["admin"])
    await env.revoke(revoked)

    ok = await client.post("/v1/events", headers=bearer(writer.plaintext))
    assert ok.status_code == 200
    assert ok.json() == {"subject": f"api_key:{writer.key_id}"}
    assert (await client.post("/v1/events", headers=bearer(admin.plaintext))).status_code == 200
    assert (await client.get("/v1/runs", headers=bearer(reader.plaintext))).status_code == 200

    forbidden = await client.post("/v1/events", headers=bearer(reader.plaintext))
    assert forbidden.status_code == 403
    assert 'error="insufficient_scope"' in forbidden.headers["www-authenticate"]
    assert forbidden.headers["content-type"] == PROBLEM_CONTENT_TYPE

    assert_401(await client.post("/v1/events"))
    assert_401(await client.post("/v1/events", headers={"Authorization": "Basic abc"}))
    assert_401(await client.post("/v1/events", headers=bearer("ck_dev_malformed")))
    assert_401(await client.post("/v1/events", headers=bearer(generate_api_key("dev").plaintext)))
    assert_401(await client.post("/v1/events", headers=bearer(expired.plaintext)))
    assert_401(await client.post("/v1/events", headers=bearer(revoked.plaintext)))


async def test_revoked_key_is_refused_over_http_within_5s(
    env: Env, client: httpx.AsyncClient
) -> None:
    key = await env.issue(["events:write"])
    assert (await client.post("/v1/events", headers=bearer(key.plaintext))).status_code == 200
    await env.revoke(key)
    consumed = time.monotonic()

    async def is_refused() -> bool:
        r = await client.post("/v1/events", headers=bearer(key.plaintext))
        return r.status_code == 401

    await wait_until(is_refused, timeout=5, message="HTTP revocation")
    assert time.monotonic() - consumed < 5


async def test_people_over_http(env: Env, client: httpx.AsyncClient) -> None:
    dev = issue_dev_token(SECRET, "dev", [RoleBinding("team-a", "developer")])
    viewer = issue_dev_token(SECRET, "viewer", [RoleBinding("team-a", "viewer")])
    lead = issue_dev_token(SECRET, "lead", [RoleBinding("team-a", "team_lead")])
    boss = issue_dev_token(SECRET, "boss", org_role="admin")

    assert (await client.post("/v1/events", headers=bearer(dev))).status_code == 200
    assert (await client.get("/v1/runs", headers=bearer(viewer))).status_code == 200
    assert (await client.post("/v1/events", headers=bearer(viewer))).status_code == 403
    who = await client.get("/whoami", headers=bearer(lead))
    assert who.json() == {"subject": "user:lead"}

    assert (await client.put("/v1/teams/team-a/settings", headers=bearer(lead))).status_code == 200
    assert (await client.put("/v1/teams/team-a/settings", headers=bearer(dev))).status_code == 403
    assert (await client.put("/v1/teams/team-b/settings", headers=bearer(lead))).status_code == 403
    assert (await client.put("/v1/teams/team-z/settings", headers=bearer(boss))).status_code == 200

    expired = issue_dev_token(SECRET, "u", now=datetime.now(UTC) - timedelta(hours=3))
    wrong_aud = issue_dev_token(JwtConfig(hs256_secret=SECRET, audience="x"), "u")
    for token in (
        expired,
        wrong_aud,
        "garbage",
        issue_dev_token("other-secret-long-enough-xxxxxxxxxx", "u"),
    ):
        assert_401(await client.get("/whoami", headers=bearer(token)))


async def test_api_keys_on_team_role_routes(env: Env, client: httpx.AsyncClient) -> None:
    registrar = await env.issue(["agents:register"], team_id="team-a")
    admin = await env.issue(["admin"], team_id="team-a")
    # Person-only route: no key passes, whatever its scopes.
    response = await client.put("/v1/teams/team-a/settings", headers=bearer(admin.plaintext))
    assert response.status_code == 403
    # A route that admits keys: only for the key's own team and with the scope.
    ok = await client.put("/v1/teams/team-a/agents", headers=bearer(registrar.plaintext))
    assert ok.status_code == 200
    other = await client.put("/v1/teams/team-b/agents", headers=bearer(registrar.plaintext))
    assert other.status_code == 403


async def test_rate_limit_answers_429_with_retry_after(env: Env) -> None:
    limiter = RateLimiter(env.redis, env.prefix, per_second=0.2, burst=2)
    transport = httpx.ASGITransport(app=build_app(env, limiter))
    key = await env.issue(["events:write"])
    other = await env.issue(["events:write"])
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        statuses = [
            (await c.post("/v1/events", headers=bearer(key.plaintext))).status_code
            for _ in range(3)
        ]
        assert statuses == [200, 200, 429]
        limited = await c.post("/v1/events", headers=bearer(key.plaintext))
        assert limited.status_code == 429
        assert limited.headers["content-type"] == PROBLEM_CONTENT_TYPE
        assert 1 <= int(limited.headers["retry-after"]) <= 10
        # The limit is per key.
        assert (await c.post("/v1/events", headers=bearer(other.plaintext))).status_code == 200


# ------------------------------------------------------------------ through the broker


async def test_revoke_through_a_real_consumer_is_refused_within_5s(
    env: Env, amqp_connection: AbstractRobustConnection, clean_queues: TopologyManifest
) -> None:
    """registry → cognive.events → notification.registry → Consumer → projection handlers."""
    service = "notification"
    queue = clean_queues.service(service).queues[-1]
    assert queue.receives(ApiKeyRevokedV1.event_type)
    consumer = Consumer(
        service=service,
        pool=env.schema.pool,
        connection=amqp_connection,
        queue=queue.name,
        dlq=DlqTarget.from_manifest(clean_queues, service),
        routes={
            ApiKeyIssuedV1.event_type: (ApiKeyIssuedV1, env.store.projection.on_issued),
            ApiKeyRevokedV1.event_type: (ApiKeyRevokedV1, env.store.projection.on_revoked),
        },
    )

    async def publish(event: Inbound[Any]) -> None:
        channel = await amqp_connection.channel(publisher_confirms=True)
        try:
            exchange = await channel.get_exchange(clean_queues.events_exchange.name, ensure=False)
            await exchange.publish(
                aio_pika.Message(encode_single(event.envelope), content_type=CONTENT_TYPE_SINGLE),
                routing_key=event.payload.event_type,
            )
        finally:
            await channel.close()

    async def consumed(event: Inbound[Any]) -> bool:
        found = await env.schema.pool.fetchval(
            "SELECT count(*) FROM inbox WHERE event_id = $1", event.event_id
        )
        return bool(found)

    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        key = generate_api_key("dev")
        issued = inbound(issued_payload(key, ["events:write"]), f"api_key-{key.key_id}")
        await publish(issued)
        await wait_until(lambda: consumed(issued), timeout=30, message="issue consumed")
        assert await env.store.lookup(key.plaintext) is not None  # cache now warm

        revoke = ApiKeyRevokedV1(key_id=key.key_id, team_id="team-a", revoked_at=datetime.now(UTC))
        revoked = inbound(revoke, f"api_key-{key.key_id}")
        await publish(revoked)
        await wait_until(lambda: consumed(revoked), timeout=30, message="revoke consumed")
        consumed_at = time.monotonic()
        await wait_until(lambda: refused(env.store, key.plaintext), timeout=5, message="refusal")
        assert time.monotonic() - consumed_at < 5
    finally:
        stop.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(task, 60)
