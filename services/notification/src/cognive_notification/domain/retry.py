"""When a failed delivery is tried again: 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h,
for up to 3 days after the first attempt; each wait spread by ±20% jitter so that an
endpoint coming back is not hit by every queued delivery at once."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

DEFAULT_SCHEDULE_S: tuple[float, ...] = (5, 300, 1_800, 7_200, 18_000, 36_000)
DEFAULT_GIVE_UP_S = 3 * 24 * 3_600
JITTER = 0.2


def next_attempt_at(
    attempts: int,
    first_attempt_at: datetime,
    now: datetime,
    schedule_s: Sequence[float] = DEFAULT_SCHEDULE_S,
    give_up_after_s: float = DEFAULT_GIVE_UP_S,
    rng: random.Random | None = None,
) -> datetime | None:
    """After `attempts` failed attempts: when to try next, or None to give up."""
    base = schedule_s[min(attempts - 1, len(schedule_s) - 1)]
    spread = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    at = now + timedelta(seconds=base * spread)
    if at - first_attempt_at > timedelta(seconds=give_up_after_s):
        return None
    return at
