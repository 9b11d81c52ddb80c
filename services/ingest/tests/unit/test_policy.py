"""Agent policy: globs, empty lists, out-of-order registry updates."""

import uuid
from datetime import UTC, datetime

import pytest

from cognive_ingest.domain.agents import AgentSynced
from cognive_ingest.domain.policy import AgentPolicy, Call, evaluate, violation_id

pytestmark = pytest.mark.unit

NOW = datetime.now(UTC)


def synced(
    seq: int | None, models: list[str] | None, tools: list[str] | None = None, retired: bool = False
) -> AgentSynced:
    return AgentSynced(
        agent_id="a",
        team_id="t",
        allowed_models=models,
        approved_tools=tools,
        retired=retired,
        source_type="x",
        source_event_id="e",
        source_sequence=seq,
        changed_at=NOW,
    )


def call(kind: str, subject: str) -> Call:
    return Call(
        event_id=uuid.uuid4(),
        kind=kind,
        agent_id="a",
        run_id="r",  # type: ignore[arg-type]
        call_id="c",
        team_id="t",
        subject=subject,
        occurred_at=NOW,
    )


def test_models_are_matched_by_glob() -> None:
    policy = AgentPolicy.first(synced(1, ["gpt-4o*", "claude-3-5-sonnet"], ["search"]))
    assert evaluate(policy, call("llm_call", "gpt-4o-mini")) is None
    assert evaluate(policy, call("llm_call", "claude-3-5-sonnet")) is None
    violation = evaluate(policy, call("llm_call", "gpt-5"))
    assert violation is not None
    assert violation.kind == "model_not_allowed"
    assert violation.model == "gpt-5"
    assert violation.tool is None
    assert evaluate(policy, call("tool_call", "search")) is None
    tool = evaluate(policy, call("tool_call", "shell"))
    assert tool is not None
    assert tool.kind == "tool_not_approved"
    assert tool.tool == "shell"


def test_empty_lists_allow_nothing() -> None:
    policy = AgentPolicy.first(synced(1, [], []))
    assert evaluate(policy, call("llm_call", "gpt-4o")) is not None
    assert evaluate(policy, call("tool_call", "search")) is not None


def test_an_older_registry_state_never_overwrites_a_newer_one() -> None:
    policy = AgentPolicy.first(synced(5, ["new-*"]))
    assert policy.updated(synced(3, ["old-*"])).allowed_models == ("new-*",)
    assert policy.updated(synced(6, ["newer"])).allowed_models == ("newer",)


def test_retirement_keeps_the_lists() -> None:
    policy = AgentPolicy.first(synced(1, ["m"], ["t"])).updated(synced(2, None, None, True))
    assert policy.retired
    assert policy.allowed_models == ("m",)
    assert policy.approved_tools == ("t",)


def test_violation_ids_are_deterministic() -> None:
    event_id = uuid.uuid4()
    assert violation_id(event_id, "model_not_allowed") == violation_id(
        event_id, "model_not_allowed"
    )
    assert violation_id(event_id, "model_not_allowed") != violation_id(
        event_id, "tool_not_approved"
    )
