"""pytest plugin (registered through the `pytest11` entry point of cognive-runtime).

Every test run gets its own id; Postgres schemas, AMQP names and Redis keys carry it, so runs
on one machine never see each other's data. Settings come from env vars with local
defaults: COGNIVE_TEST_POSTGRES_DSN, COGNIVE_TEST_RABBITMQ_URL, COGNIVE_TEST_REDIS_URL."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import redis.asyncio as aioredis

from cognive_runtime.testing.amqp_fixtures import amqp_connection, clean_queues, topology  # noqa: F401
from cognive_runtime.testing.schemas import SchemaFactory

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def test_run_id() -> str:
    return "t" + secrets.token_hex(4)


@pytest.fixture(scope="session")
def pg_dsn() -> str:
    return os.environ.get("COGNIVE_TEST_POSTGRES_DSN", DEFAULT_PG)


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return os.environ.get("COGNIVE_TEST_RABBITMQ_URL", DEFAULT_AMQP)


@pytest.fixture(scope="session")
def redis_url() -> str:
    return os.environ.get("COGNIVE_TEST_REDIS_URL", DEFAULT_REDIS)


@pytest.fixture(scope="session")
def amqp_prefix(test_run_id: str) -> str:
    return f"{test_run_id}."


@pytest_asyncio.fixture(scope="session")
async def schemas(pg_dsn: str, test_run_id: str) -> AsyncIterator[SchemaFactory]:
    factory = SchemaFactory(pg_dsn, test_run_id)
    yield factory
    await factory.drop_all()


@pytest_asyncio.fixture(autouse=True)
async def _close_test_pools(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After each test, close the pools of the schemas it created."""
    yield
    if "schemas" in request.fixturenames:
        factory: SchemaFactory = request.getfixturevalue("schemas")
        await factory.close_pools()


@pytest_asyncio.fixture
async def redis_client(redis_url: str, test_run_id: str) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(redis_url)
    yield client
    async for key in client.scan_iter(match=f"{test_run_id}:*", count=1000):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
def redis_prefix(test_run_id: str, request: pytest.FixtureRequest) -> str:
    return f"{test_run_id}:{request.node.name[:40]}:"


@pytest.fixture
def process_log_dir(tmp_path: Path) -> Path:
    path = tmp_path / "processes"
    path.mkdir()
    return path
