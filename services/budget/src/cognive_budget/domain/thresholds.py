"""Which alert lines a change of spend crosses: a pure function of (before, after)."""

from __future__ import annotations

from collections.abc import Sequence


def crossed(before: int, after: int, limit: int, thresholds: Sequence[int]) -> list[int]:
    """Thresholds (percent of `limit`) that `after` reaches and `before` did not. Spend
    going down (a repricing credit) crosses nothing; integer arithmetic, no rounding."""
    if after <= before:
        return []
    return [t for t in sorted(set(thresholds)) if before * 100 < t * limit <= after * 100]


def reached(spent: int, limit: int, thresholds: Sequence[int]) -> list[int]:
    return [t for t in sorted(set(thresholds)) if t * limit <= spent * 100]
