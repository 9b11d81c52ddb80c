"""Which policies apply to a call, and whether an agent may use a model."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Protocol, TypeVar

from cognive_contracts.events.budget import Period, ScopeKind


class Scoped(Protocol):
    @property
    def scope_kind(self) -> ScopeKind: ...
    @property
    def scope_id(self) -> str: ...
    @property
    def period(self) -> Period: ...


P = TypeVar("P", bound=Scoped)


@dataclass(frozen=True, slots=True)
class CallScope:
    """Who a call spends for. `team_id` is the agent's team when budget knows the agent,
    else the calling key's team (ARCHITECTURE §1: an unknown agent is still held to its
    team's and the org's budgets, never let through)."""

    agent_id: str
    team_id: str | None
    run_id: str | None


def applies(policy: Scoped, call: CallScope) -> bool:
    if policy.period == "run" and not call.run_id:
        return False
    match policy.scope_kind:
        case "org":
            return True
        case "team":
            return call.team_id is not None and policy.scope_id == call.team_id
        case "agent":
            return policy.scope_id == call.agent_id
        case "run":
            return call.run_id is not None and policy.scope_id == call.run_id
    return False


def applicable(policies: Iterable[P], call: CallScope) -> list[P]:
    return [p for p in policies if applies(p, call)]


def model_allowed(model: str, patterns: Sequence[str]) -> bool:
    """Registry's rule (glob patterns, case-sensitive; none means no model)."""
    return any(fnmatchcase(model, pattern) for pattern in patterns)
