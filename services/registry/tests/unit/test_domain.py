"""Registry's pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cognive_contracts.events.registry import (
    AgentRegisteredV1,
    AgentRetiredV1,
    AgentUpdatedV1,
    RoleGrantedV1,
)
from cognive_registry.domain.agents import (
    Agent,
    agent_id_for,
    fold_agent,
    model_allowed,
    register_agent,
    retire_agent,
)
from cognive_registry.domain.audit import GENESIS, first_broken, link
from cognive_registry.domain.users import create_user, fold_user, grant_role, user_id_for
from cognive_runtime.domain_errors import Conflict, Gone, NotFound

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def wanted(**changes: object) -> Agent:
    base = {
        "agent_id": agent_id_for("cx", "prod", "bot"),
        "team_id": "cx",
        "name": "bot",
        "environment": "prod",
        "framework": "langchain",
        "allowed_models": ["gpt-4o*"],
    }
    return Agent(**{**base, **changes})  # type: ignore[arg-type]


def test_agent_id_is_derived_from_team_environment_and_name() -> None:
    assert agent_id_for("cx", "prod", "bot") == agent_id_for("cx", "prod", "bot")
    assert agent_id_for("cx", "prod", "bot") != agent_id_for("cx", "dev", "bot")
    assert agent_id_for("cx", "prod", "bot") != agent_id_for("ops", "prod", "bot")


def test_register_new_then_same_again_then_changed() -> None:
    first = register_agent(None, wanted())
    assert [type(e) for e in first] == [AgentRegisteredV1]
    state = fold_agent(first)
    assert register_agent(state, wanted()) == [], "the SDK registers at every start"
    changed = register_agent(state, wanted(allowed_models=["gpt-4o*", "claude-*"]))
    assert [type(e) for e in changed] == [AgentUpdatedV1]
    assert changed[0].allowed_models == ["gpt-4o*", "claude-*"]  # type: ignore[attr-defined]


def test_retired_agent_cannot_be_registered_again_and_retire_is_idempotent() -> None:
    state = fold_agent(register_agent(None, wanted()))
    retired = retire_agent(state, NOW, "replaced")
    assert [type(e) for e in retired] == [AgentRetiredV1]
    state = fold_agent([*register_agent(None, wanted()), *retired])
    assert state is not None and state.retired
    assert retire_agent(state, NOW, None) == []
    with pytest.raises(Gone):
        register_agent(state, wanted())
    with pytest.raises(NotFound):
        retire_agent(None, NOW, None)


@pytest.mark.parametrize(
    ("model", "patterns", "allowed"),
    [
        ("gpt-4o", ["gpt-4o*"], True),
        ("gpt-4o-mini", ["gpt-4o*"], True),
        ("gpt-4", ["gpt-4o*"], False),
        ("claude-3-5-sonnet", ["gpt-4o*", "claude-*"], True),
        ("anything", [], False),
        ("GPT-4O", ["gpt-4o*"], False),
    ],
)
def test_model_patterns(model: str, patterns: list[str], allowed: bool) -> None:
    assert model_allowed(model, patterns) is allowed


def test_users_are_unique_per_email_and_roles_replace() -> None:
    assert user_id_for("A@Example.com ") == user_id_for("a@example.com")
    created = create_user(None, "a@example.com", None, None)
    user = fold_user(created)
    with pytest.raises(Conflict):
        create_user(user, "a@example.com", None, None)
    granted = grant_role(user, "cx", "developer")
    assert [type(e) for e in granted] == [RoleGrantedV1]
    user = fold_user([*created, *granted])
    assert user is not None and user.roles == {"cx": "developer"}
    assert grant_role(user, "cx", "developer") == []


def test_hash_chain_detects_edits_and_deletions() -> None:
    entries = []
    prev = GENESIS
    for i in range(5):
        entry = {
            "position": i + 1,
            "event_id": f"e{i}",
            "type": "registry.team.created.v1",
            "source": "/cognive/registry",
            "actor": "user:x",
            "team_id": "cx",
            "subject": "team-cx",
            "occurred_at": NOW,
            "data": {"i": i},
        }
        digest = link(prev, entry)
        entries.append({**entry, "prev_hash": prev, "hash": digest})
        prev = digest
    assert first_broken(entries) == (5, None, None)
    edited = [dict(e) for e in entries]
    edited[2]["data"] = {"i": 99}
    assert first_broken(edited)[1] == 3
    deleted = entries[:1] + entries[2:]
    assert first_broken(deleted)[1] == 3
