"""A budget policy's life: defined, updated, archived; its calendar periods roll over.

State is folded from the policy's own stream (`policy-<id>`); every decision returns the
events to append, never writes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cognive_budget.domain.periods import calendar_bounds, valid_timezone
from cognive_contracts.events.base import EventPayload
from cognive_contracts.events.budget import (
    BudgetPeriodRolledV1,
    BudgetPolicyArchivedV1,
    BudgetPolicyDefinedV1,
    BudgetPolicyUpdatedV1,
    Mode,
    Period,
    ScopeKind,
)
from cognive_runtime.domain_errors import Conflict, DomainError, Gone, NotFound

UPDATABLE = ("name", "limit_micros", "mode", "thresholds", "timezone")


@dataclass(frozen=True)
class Policy:
    policy_id: str
    name: str
    scope_kind: ScopeKind
    scope_id: str
    team_id: str | None
    period: Period
    timezone: str
    limit_micros: int
    mode: Mode
    thresholds: tuple[int, ...]
    archived: bool = False
    # The start of the calendar period the policy is in, as of its last roll (None for
    # per-run policies and before the first event carries a time).
    current_period_start: datetime | None = None

    def state_fields(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "name": self.name,
            "scope_kind": self.scope_kind,
            "scope_id": self.scope_id,
            "team_id": self.team_id,
            "period": self.period,
            "timezone": self.timezone,
            "limit_micros": self.limit_micros,
            "mode": self.mode,
            "thresholds": list(self.thresholds),
        }


def policy_stream(policy_id: str) -> str:
    return f"policy-{policy_id}"


def fold_policy(events: list[EventPayload]) -> Policy | None:
    policy: Policy | None = None
    for event in events:
        if isinstance(event, BudgetPolicyDefinedV1 | BudgetPolicyUpdatedV1):
            current = policy.current_period_start if policy else None
            policy = Policy(
                policy_id=event.policy_id,
                name=event.name,
                scope_kind=event.scope_kind,
                scope_id=event.scope_id,
                team_id=event.team_id,
                period=event.period,
                timezone=event.timezone,
                limit_micros=event.limit_micros,
                mode=event.mode,
                thresholds=tuple(event.thresholds),
                current_period_start=current,
            )
        elif isinstance(event, BudgetPolicyArchivedV1) and policy is not None:
            policy = replace(policy, archived=True)
        elif isinstance(event, BudgetPeriodRolledV1) and policy is not None:
            policy = replace(policy, current_period_start=event.period_start)
    return policy


def _check_rules(fields: dict[str, Any]) -> None:
    if not valid_timezone(fields["timezone"]):
        raise DomainError(f"unknown time zone {fields['timezone']!r}", field="timezone")
    thresholds = fields["thresholds"]
    if len(set(thresholds)) != len(thresholds):
        raise DomainError("thresholds repeat a value", field="thresholds")
    if fields["scope_kind"] == "run" and fields["period"] != "run":
        raise DomainError("a run-scoped budget has the period 'run'", field="period")
    if fields["scope_kind"] != "org" and not fields.get("team_id"):
        raise DomainError("the owning team is required", field="team_id")


def define_policy(
    current: Policy | None, fields: dict[str, Any], now: datetime
) -> list[EventPayload]:
    """The definition, and for a calendar policy the roll into the period containing
    `now`: a policy defined mid-month starts in that month, aligned to its first day."""
    if current is not None:
        raise Conflict(f"budget {fields['policy_id']} exists", field="policy_id")
    fields = {**fields, "thresholds": sorted(fields.get("thresholds") or [80, 90, 100])}
    _check_rules(fields)
    defined = BudgetPolicyDefinedV1(**fields)
    return [defined, *roll_period(fold_policy([defined]), now, None)]


def update_policy(current: Policy | None, changes: dict[str, Any]) -> list[EventPayload]:
    if current is None:
        raise NotFound("budget not found")
    if current.archived:
        raise Gone("an archived budget cannot change")
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        field = sorted(unknown)[0]
        raise DomainError(f"{field} cannot change; define a new budget", field=field)
    fields = current.state_fields()
    fields.update({k: v for k, v in changes.items() if v is not None})
    fields["thresholds"] = sorted(fields["thresholds"])
    if fields == current.state_fields():
        return []
    _check_rules(fields)
    return [BudgetPolicyUpdatedV1(**fields)]


def archive_policy(
    current: Policy | None, at: datetime, reason: str | None = None
) -> list[EventPayload]:
    if current is None:
        raise NotFound("budget not found")
    if current.archived:
        return []
    return [
        BudgetPolicyArchivedV1(
            policy_id=current.policy_id, team_id=current.team_id, archived_at=at, reason=reason
        )
    ]


def roll_period(
    current: Policy | None, now: datetime, previous_spent: int | None
) -> list[EventPayload]:
    """A `budget.period.rolled.v1` when `now` lies in a later calendar period than the one
    the policy last rolled into (or it has not rolled yet)."""
    if current is None or current.archived or current.period == "run":
        return []
    start, end = calendar_bounds(current.period, current.timezone, now)
    if current.current_period_start is not None and start <= current.current_period_start:
        return []
    return [
        BudgetPeriodRolledV1(
            policy_id=current.policy_id,
            scope_kind=current.scope_kind,
            scope_id=current.scope_id,
            team_id=current.team_id,
            period=current.period,
            period_start=start,
            period_end=end,
            previous_period_start=current.current_period_start,
            previous_spent_micros=previous_spent,
        )
    ]
