"""Budget's Redis state: counters, reservations, readiness; each change one Lua call."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import redis.asyncio as aioredis

from cognive_budget.preflight import scripts


@dataclass(frozen=True, slots=True)
class CounterLimit:
    """One applicable policy's counter as the check sees it."""

    policy_id: str
    period_key: str
    limit_micros: int
    hard: bool
    ttl_s: int


@dataclass(frozen=True, slots=True)
class CounterValue:
    """A counter's spend as the ledger has it, at ledger version `version`."""

    policy_id: str
    period_key: str
    spent_micros: int
    version: int
    ttl_s: int


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    allowed: bool
    rebuilding: bool = False
    # When blocked: which counter, and what it held.
    blocked_index: int | None = None
    spent_micros: int = 0
    reserved_micros: int = 0


class PreflightStore:
    def __init__(self, redis: aioredis.Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ready_key = f"{prefix}ready"
        self.rebuilding_key = f"{prefix}rebuilding"
        self.expiry_key = f"{prefix}rexp"
        self._check = redis.register_script(scripts.CHECK)
        self._settle = redis.register_script(scripts.SETTLE)
        self._expire = redis.register_script(scripts.EXPIRE)
        self._load = redis.register_script(scripts.LOAD)
        self._finish = redis.register_script(scripts.FINISH_REBUILD)

    def counter_key(self, policy_id: str, period_key: str) -> str:
        return f"{self.prefix}c:{policy_id}:{period_key}"

    def reservation_key(self, reservation_id: str) -> str:
        return f"{self.prefix}r:{reservation_id}"

    async def check_and_reserve(
        self,
        counters: Sequence[CounterLimit],
        estimate_micros: int,
        reservation_id: str,
        expires_at: datetime,
        ttl_s: int,
    ) -> CheckOutcome:
        keys = [self.ready_key, self.reservation_key(reservation_id), self.expiry_key]
        args: list[str | int] = [
            estimate_micros,
            reservation_id,
            int(expires_at.timestamp()),
            ttl_s,
        ]
        for c in counters:
            keys.append(self.counter_key(c.policy_id, c.period_key))
            args.extend((c.limit_micros, 1 if c.hard else 0, c.ttl_s))
        result = await self._check(keys=keys, args=args)
        code = int(result[0])
        if code == 1:
            return CheckOutcome(allowed=True)
        if code == -1:
            return CheckOutcome(allowed=False, rebuilding=True)
        return CheckOutcome(
            allowed=False,
            blocked_index=int(result[1]) - 1,
            spent_micros=int(result[2]),
            reserved_micros=int(result[3]),
        )

    async def settle(
        self, reservation_ids: Sequence[str], counters: Sequence[CounterValue]
    ) -> None:
        """Set the ledger's totals (newer versions only) and release the reservations, for a
        whole chunk of ledger records in one round trip. Only each counter's newest version
        is sent: the script would drop the older ones anyway."""
        newest: dict[tuple[str, str], CounterValue] = {}
        for c in counters:
            held = newest.setdefault((c.policy_id, c.period_key), c)
            if c.version > held.version or c.ttl_s > held.ttl_s:
                latest = c if c.version > held.version else held
                newest[(c.policy_id, c.period_key)] = replace(
                    latest, ttl_s=max(c.ttl_s, held.ttl_s)
                )
        if not newest and not reservation_ids:
            return
        keys = [self.expiry_key]
        args: list[str | int] = [len(newest)]
        for c in newest.values():
            keys.append(self.counter_key(c.policy_id, c.period_key))
            args.extend((c.spent_micros, c.version, c.ttl_s))
        unique = list(dict.fromkeys(reservation_ids))
        keys.extend(self.reservation_key(r) for r in unique)
        args.extend(unique)
        await self._settle(keys=keys, args=args)

    async def expire(self, now: datetime, batch: int = 500) -> int:
        return int(
            await self._expire(
                keys=[self.expiry_key],
                args=[int(now.timestamp()), batch, f"{self.prefix}r:"],
            )
        )

    async def reserved(self, policy_id: str, period_key: str) -> int:
        value = await self.redis.hget(self.counter_key(policy_id, period_key), "reserved")
        return max(0, int(value or 0))

    # ---------------------------------------------------------------- rebuild
    async def is_ready(self) -> bool:
        return bool(await self.redis.exists(self.ready_key))

    async def begin_rebuild(self) -> str:
        epoch = uuid.uuid4().hex
        await self.redis.set(self.rebuilding_key, epoch)
        return epoch

    async def load(self, counters: Sequence[CounterValue]) -> None:
        if not counters:
            return
        keys: list[str] = []
        args: list[int] = []
        for c in counters:
            keys.append(self.counter_key(c.policy_id, c.period_key))
            args.extend((c.spent_micros, c.version, c.ttl_s))
        await self._load(keys=keys, args=args)

    async def finish_rebuild(self, epoch: str) -> bool:
        return bool(await self._finish(keys=[self.rebuilding_key, self.ready_key], args=[epoch]))
