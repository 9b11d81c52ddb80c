"""The service's Redis client under a burst: commands wait for a connection, none fails."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from cognive_runtime.service.resources import redis_client
from cognive_runtime.testing.sample_service import SampleSettings

pytestmark = pytest.mark.integration


async def test_a_burst_beyond_the_pool_waits_instead_of_failing(
    redis_url: str, redis_prefix: str
) -> None:
    settings = SampleSettings(redis_url=SecretStr(redis_url), redis_pool_max=4)
    redis = redis_client(settings)
    key = f"{redis_prefix}burst"
    try:
        # BLPOP with a short timeout holds its connection while it blocks, so 40 of them
        # need ten rounds of the 4 connections; redis-py's default pool would raise
        # MaxConnectionsError at the fifth.
        results = await asyncio.gather(*(redis.blpop([key], timeout=0.05) for _ in range(40)))
        assert results == [None] * 40
        assert await asyncio.gather(*(redis.incr(key + ":n") for _ in range(200)))
        assert int(await redis.get(key + ":n")) == 200
        assert redis.connection_pool.max_connections == 4
    finally:
        await redis.delete(key + ":n")
        await redis.aclose()
