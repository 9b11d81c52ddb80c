"""Gauges that are read, not counted: oldest transaction age, queue and DLQ depths."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from cognive_runtime.amqp import queue_depths
from cognive_runtime.metrics import CONSUMER_LAG_MESSAGES, DLQ_DEPTH, OLDEST_TRANSACTION_AGE
from cognive_runtime.service.resources import ServiceResources

log = structlog.get_logger(__name__)

# Cluster-wide on purpose: one long transaction anywhere holds every gap-free reader.
OLDEST_XACT_SQL = """
SELECT coalesce(max(extract(epoch FROM (now() - xact_start))), 0)::float8
FROM pg_stat_activity
WHERE xact_start IS NOT NULL AND state <> 'idle' AND pid <> pg_backend_pid()
"""


class MetricsSampler:
    name = "metrics-sampler"

    def __init__(self, res: ServiceResources, interval_s: float = 5.0) -> None:
        self.res = res
        self.interval_s = interval_s

    async def sample_once(self) -> None:
        service = self.res.settings.service
        age = await self.res.pool.fetchval(OLDEST_XACT_SQL)
        OLDEST_TRANSACTION_AGE.labels(service).set(float(age or 0))
        topology = self.res.manifest.service(service)
        names = [q.name for q in topology.queues] + [topology.dlq.name]
        depths = await queue_depths(self.res.amqp, names)
        for queue, depth in depths.items():
            if queue == topology.dlq.name:
                DLQ_DEPTH.labels(service).set(depth)
            else:
                CONSUMER_LAG_MESSAGES.labels(service, queue).set(depth)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.sample_once()
            except Exception as exc:  # a gauge must never take the service down
                log.warning("metrics.sample_failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
