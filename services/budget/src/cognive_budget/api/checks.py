"""POST /v1/checks: the pre-flight check an agent makes before an LLM call."""

from __future__ import annotations

import time

from fastapi import APIRouter

from cognive_budget.api.deps import State
from cognive_budget.metrics import CHECK_LATENCY, CHECKS
from cognive_budget.preflight.checker import Allowed, Blocked, Rebuilding, Refused
from cognive_contracts.http.budget import BlockingPolicy, CheckAllowed, CheckRequest
from cognive_runtime.auth import ApiKeyPrincipal, AuthDep, ensure_scope, ensure_team_role
from cognive_runtime.problems import ProblemError, problem_type

router = APIRouter(prefix="/v1/checks", tags=["checks"])

_RESPONSES: dict[int | str, dict[str, str]] = {
    403: {"description": "The model is not allowed for the agent (problem+json)"},
    429: {"description": "A budget would be exceeded; `Retry-After` and the policy"},
}


@router.post("", response_model=CheckAllowed, responses=_RESPONSES)
async def check(body: CheckRequest, state: State, principal: AuthDep) -> CheckAllowed:
    started = time.perf_counter()
    if isinstance(principal, ApiKeyPrincipal):
        ensure_scope(principal, "budget:check")
        caller_team: str | None = principal.team_id
    else:
        # A person checking by hand (a console "what if"): an agent of their team.
        agent = await state.checker.agents.get(body.agent_id)
        if agent is None:
            raise ProblemError(
                404, "Not Found", f"agent {body.agent_id} not found", type=problem_type("not-found")
            )
        ensure_team_role(principal, agent.team_id, "developer")
        caller_team = None
    try:
        outcome = await state.checker.check(caller_team, principal.subject, body)
    finally:
        CHECK_LATENCY.observe(time.perf_counter() - started)
    match outcome:
        case Allowed():
            CHECKS.labels("allowed").inc()
            return CheckAllowed(
                reservation_id=outcome.reservation_id,
                expires_at=outcome.expires_at,
                estimated_micros=outcome.estimated_micros,
                policy_ids=outcome.policy_ids,
            )
        case Refused():
            CHECKS.labels("refused").inc()
            raise ProblemError(403, "Forbidden", outcome.detail, type=problem_type(outcome.reason))
        case Rebuilding():
            CHECKS.labels("rebuilding").inc()
            raise ProblemError(
                429,
                "Too Many Requests",
                "budget counters are being rebuilt; retry shortly",
                type=problem_type("budget-unavailable"),
                headers={"Retry-After": str(outcome.retry_after_s)},
            )
        case Blocked():
            CHECKS.labels("blocked").inc()
            p = outcome.policy
            policy = BlockingPolicy(
                policy_id=p.policy_id,
                name=p.name,
                scope_kind=p.scope_kind,
                scope_id=p.scope_id,
                period=p.period,
                limit_micros=p.limit_micros,
                spent_micros=outcome.spent_micros,
                reserved_micros=outcome.reserved_micros,
                period_end=outcome.bounds.end,
            )
            headers = {}
            if outcome.retry_after_s is not None:
                headers["Retry-After"] = str(outcome.retry_after_s)
            raise ProblemError(
                429,
                "Too Many Requests",
                f"budget {p.name!r} ({p.scope_kind} {p.scope_id}, {p.period}) would be exceeded",
                type=problem_type("budget-exceeded"),
                headers=headers,
                extra={
                    "policy": policy.model_dump(mode="json"),
                    "block_id": outcome.block_id,
                    "estimated_micros": outcome.estimated_micros,
                },
            )
    raise AssertionError(outcome)
