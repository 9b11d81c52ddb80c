"""Budget's pure domain: calendar periods, threshold crossings, policy decisions, the
spend plan and estimates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cognive_budget.domain.estimate import estimate_micros, micros_per_mtok
from cognive_budget.domain.periods import bounds_for, calendar_bounds
from cognive_budget.domain.policies import (
    archive_policy,
    define_policy,
    fold_policy,
    roll_period,
    update_policy,
)
from cognive_budget.domain.scope import CallScope, applicable, model_allowed
from cognive_budget.domain.spend import EXCEEDED_MARK, Counter, Spend, counters_for, plan
from cognive_budget.domain.thresholds import crossed
from cognive_contracts.events.base import TokenUsage
from cognive_contracts.events.budget import BudgetPeriodRolledV1, BudgetPolicyDefinedV1
from cognive_runtime.domain_errors import DomainError, Gone

pytestmark = pytest.mark.unit


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("period", "tz", "at", "start", "end"),
    [
        ("day", "UTC", utc(2026, 11, 24, 13), utc(2026, 11, 24), utc(2026, 11, 25)),
        ("week", "UTC", utc(2026, 11, 26, 1), utc(2026, 11, 23), utc(2026, 11, 30)),
        ("month", "UTC", utc(2026, 12, 31, 23), utc(2026, 12, 1), utc(2027, 1, 1)),
        # 23:30 UTC on the 24th is the 25th in Tokyo (UTC+9).
        (
            "day",
            "Asia/Tokyo",
            utc(2026, 11, 24, 23, 30),
            utc(2026, 11, 24, 15),
            utc(2026, 11, 25, 15),
        ),
        # New York springs forward on 2026-03-08: that day is 23 hours long.
        ("day", "America/New_York", utc(2026, 3, 8, 12), utc(2026, 3, 8, 5), utc(2026, 3, 9, 4)),
        (
            "month",
            "America/New_York",
            utc(2026, 11, 1, 3),
            utc(2026, 10, 1, 4),
            utc(2026, 11, 1, 4),
        ),
    ],
)
def test_calendar_bounds(
    period: str, tz: str, at: datetime, start: datetime, end: datetime
) -> None:
    assert calendar_bounds(period, tz, at) == (start, end)  # type: ignore[arg-type]


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from(["day", "week", "month"]),
    st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata"]),
)
def test_every_instant_lies_in_its_period(at: datetime, period: str, tz: str) -> None:
    start, end = calendar_bounds(period, tz, at)  # type: ignore[arg-type]
    assert start <= at < end
    assert calendar_bounds(period, tz, end)[0] == end  # type: ignore[arg-type]


@given(
    st.lists(
        st.datetimes(
            min_value=datetime(2024, 3, 1),
            max_value=datetime(2024, 4, 15),
            timezones=st.just(UTC),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["day", "week", "month"]),
    st.sampled_from(["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu"]),
)
def test_remembered_period_answers_as_the_calendar_does(
    instants: list[datetime], period: str, tz: str
) -> None:
    """The last period is reused for the next spend that falls in it (a DST change lies in
    this range): in any order, the answer is the one computed afresh."""
    from cognive_budget.domain.periods import _calendar_bounds

    for at in instants:
        assert calendar_bounds(period, tz, at) == _calendar_bounds(period, tz, at)  # type: ignore[arg-type]


def test_run_period_is_keyed_by_run() -> None:
    bounds = bounds_for("run", "UTC", utc(2026, 1, 1), "r-9")
    assert bounds is not None and bounds.key == "run:r-9" and bounds.end is None
    assert bounds_for("run", "UTC", utc(2026, 1, 1), None) is None


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (0, 79, []),
        (0, 80, [80]),
        (79, 91, [80, 90]),
        (80, 85, []),
        (95, 250, [100]),
        (100, 50, []),
    ],
)
def test_crossed(before: int, after: int, expected: list[int]) -> None:
    assert crossed(before, after, 100, [100, 80, 90]) == expected


@given(st.lists(st.integers(min_value=-30, max_value=60), max_size=40))
def test_each_threshold_crossed_at_most_once_per_upward_path(deltas: list[int]) -> None:
    spent, seen = 0, []
    high = 0
    for d in deltas:
        new = max(0, spent + d)
        for t in crossed(max(spent, high), max(new, high), 100, [80, 90, 100]):
            seen.append(t)
        high = max(high, new)
        spent = new
    assert len(seen) == len(set(seen))


FIELDS = {
    "policy_id": "p1",
    "name": "cx",
    "scope_kind": "team",
    "scope_id": "cx",
    "team_id": "cx",
    "period": "month",
    "timezone": "UTC",
    "limit_micros": 100,
    "mode": "hard",
}


def test_define_rolls_into_the_period_containing_now() -> None:
    events = define_policy(None, FIELDS, utc(2026, 11, 24, 10))
    assert isinstance(events[0], BudgetPolicyDefinedV1)
    assert isinstance(events[1], BudgetPeriodRolledV1)
    assert events[1].period_start == utc(2026, 11, 1)
    policy = fold_policy(events)
    assert policy is not None and policy.current_period_start == utc(2026, 11, 1)
    assert roll_period(policy, utc(2026, 11, 30, 23), 5) == []
    (rolled,) = roll_period(policy, utc(2026, 12, 1), 5)
    assert isinstance(rolled, BudgetPeriodRolledV1)
    assert rolled.previous_spent_micros == 5 and rolled.period_start == utc(2026, 12, 1)


def test_policy_rules() -> None:
    with pytest.raises(DomainError) as info:
        define_policy(None, {**FIELDS, "timezone": "Nowhere/Else"}, utc(2026, 1, 1))
    assert info.value.field == "timezone"
    with pytest.raises(DomainError):
        define_policy(None, {**FIELDS, "scope_kind": "run", "period": "day"}, utc(2026, 1, 1))
    policy = fold_policy(define_policy(None, FIELDS, utc(2026, 1, 1)))
    assert update_policy(policy, {"limit_micros": 100}) == []
    with pytest.raises(DomainError) as info:
        update_policy(policy, {"scope_id": "other"})
    assert info.value.field == "scope_id"
    archived = fold_policy(
        [*define_policy(None, FIELDS, utc(2026, 1, 1)), *archive_policy(policy, utc(2026, 1, 2))]
    )
    with pytest.raises(Gone):
        update_policy(archived, {"limit_micros": 5})


def test_applicable_scopes() -> None:
    p = fold_policy(define_policy(None, FIELDS, utc(2026, 1, 1)))
    org = fold_policy(
        define_policy(
            None,
            {**FIELDS, "policy_id": "o", "scope_kind": "org", "team_id": None},
            utc(2026, 1, 1),
        )
    )
    run = fold_policy(
        define_policy(
            None,
            {**FIELDS, "policy_id": "r", "scope_kind": "agent", "scope_id": "a1", "period": "run"},
            utc(2026, 1, 1),
        )
    )
    assert p and org and run
    call = CallScope(agent_id="a1", team_id="cx", run_id="r1")
    assert applicable([p, org, run], call) == [p, org, run]
    assert applicable([p, org, run], CallScope("a2", "search", None)) == [org]


def test_model_patterns() -> None:
    assert model_allowed("gpt-4o-mini", ["gpt-4o*"])
    assert not model_allowed("GPT-4o", ["gpt-4o*"])
    assert not model_allowed("gpt-4o", [])


def test_plan_folds_in_order_and_alerts_once() -> None:
    policy = fold_policy(define_policy(None, FIELDS, utc(2026, 11, 1)))
    assert policy is not None
    spends = [
        Spend(
            uuid.uuid4(),
            f"c{n}",
            "priced",
            30,
            None,
            CallScope("a", "cx", "r"),
            "m",
            utc(2026, 11, 5),
        )
        for n in range(4)
    ]
    (counter_key,) = [(p.policy_id, b.key) for p, b in counters_for(spends[0], [policy])]
    counters = {counter_key: Counter(*counter_key, utc(2026, 11, 1), utc(2026, 12, 1))}
    result = plan(spends, [policy], counters)
    assert [c.spent_micros for a in result.applied for c in a.counters] == [30, 60, 90, 120]
    assert [c.version for a in result.applied for c in a.counters] == [1, 2, 3, 4]
    assert [a.mark for a in result.alerts] == [80, 90, 100, EXCEEDED_MARK]
    assert result.alerts[-1].cause == spends[3].event_id


def test_estimates_round_up() -> None:
    usage = TokenUsage(input_tokens=333, output_tokens=0)
    assert micros_per_mtok(1_000, usage) == 3_003_004
    assert micros_per_mtok(5, TokenUsage()) is None
    assert estimate_micros(1, 2_500_000) == 3
    assert estimate_micros(1_000_000, 2_500_000) == 2_500_000
