"""Calendar periods of a budget, aligned in the policy's time zone.

A period is identified by its start; counters are keyed by it, so a new period starts at
zero because its key is new, not because something reset a counter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cognive_contracts.events.budget import Period


class PeriodBounds(NamedTuple):
    start: datetime
    # Exclusive; None for a per-run period, which ends with the run.
    end: datetime | None
    # The counter key: the start in UTC for calendar periods, `run:<id>` for runs.
    key: str


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# The last period computed per (period, zone): a batch of spends nearly always falls in it,
# and "start <= at < end" answers exactly what the calendar arithmetic would.
_LAST: dict[tuple[str, str], tuple[datetime, datetime]] = {}
_LAST_LIMIT = 4096


def calendar_bounds(period: Period, timezone: str, at: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the day, ISO week (Monday) or month containing `at`, in UTC."""
    if period == "run":
        raise ValueError("a per-run period has no calendar bounds")
    last = _LAST.get((period, timezone))
    if last is not None and last[0] <= at < last[1]:
        return last
    bounds = _calendar_bounds(period, timezone, at)
    if len(_LAST) >= _LAST_LIMIT:
        _LAST.clear()
    _LAST[(period, timezone)] = bounds
    return bounds


def _calendar_bounds(period: Period, timezone: str, at: datetime) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
    if period == "day":
        start, end = day, _add_days(day, 1, zone)
    elif period == "week":
        start = _add_days(day, -day.weekday(), zone)
        end = _add_days(start, 7, zone)
    else:
        start = day.replace(day=1)
        end = (
            start.replace(year=start.year + 1, month=1)
            if start.month == 12
            else start.replace(month=start.month + 1)
        )
    return _utc(start, zone), _utc(end, zone)


def bounds_for(
    period: Period, timezone: str, at: datetime, run_id: str | None
) -> PeriodBounds | None:
    """The period a spend at `at` (of `run_id`) falls in; None for a per-run policy and a
    call outside any run."""
    if period == "run":
        if not run_id:
            return None
        return PeriodBounds(at, None, f"run:{run_id}")
    start, end = calendar_bounds(period, timezone, at)
    return PeriodBounds(start, end, start.isoformat())


def _add_days(local_midnight: datetime, days: int, zone: ZoneInfo) -> datetime:
    # Wall-clock arithmetic: a DST day is 23 or 25 hours long, and still one day.
    naive = local_midnight.replace(tzinfo=None) + timedelta(days=days)
    return naive.replace(tzinfo=zone)


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)
