from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel

from cognive_contracts.compat import (
    BreakingChange,
    compare_openapi,
    compare_schema_sets,
    compare_schemas,
)

pytestmark = pytest.mark.unit


def schema(model: type[BaseModel], status: str = "stable") -> dict[str, Any]:
    out = model.model_json_schema()
    out["x-cognive-status"] = status
    return out


def kinds(changes: list[BreakingChange]) -> set[tuple[str, str]]:
    return {(c.kind, c.path) for c in changes}


class Usage(BaseModel):
    input_tokens: int
    output_tokens: int = 0


class Old(BaseModel):
    call_id: str
    total_micros: int
    status: Literal["ok", "error"]
    usage: Usage
    tags: list[Literal["a", "b"]] = []
    error: str | None = None


def test_identical_schema_passes() -> None:
    assert compare_schemas("t", schema(Old), schema(Old)) == []


def test_additive_optional_fields_pass() -> None:
    class UsageMore(Usage):
        reasoning_tokens: int = 0

    class New(Old):
        usage: UsageMore
        note: str | None = None
        # A new enum value is additive.
        status: Literal["ok", "error", "timeout"]  # type: ignore[assignment]

    assert compare_schemas("t", schema(Old), schema(New)) == []


def test_removed_field() -> None:
    class New(BaseModel):
        call_id: str
        status: Literal["ok", "error"]
        usage: Usage
        tags: list[Literal["a", "b"]] = []
        error: str | None = None

    assert kinds(compare_schemas("t", schema(Old), schema(New))) == {
        ("removed_field", "total_micros")
    }


def test_changed_type() -> None:
    class New(Old):
        total_micros: float  # type: ignore[assignment]

    assert kinds(compare_schemas("t", schema(Old), schema(New))) == {
        ("changed_type", "total_micros")
    }


def test_field_becoming_nullable_is_a_type_change() -> None:
    class New(Old):
        total_micros: int | None  # type: ignore[assignment]

    assert ("changed_type", "total_micros") in kinds(compare_schemas("t", schema(Old), schema(New)))


def test_new_required_field_and_optional_becoming_required() -> None:
    class New(Old):
        model: str
        error: str | None  # no default: now required

    assert kinds(compare_schemas("t", schema(Old), schema(New))) == {
        ("new_required_field", "model"),
        ("new_required_field", "error"),
    }


def test_removed_enum_value() -> None:
    class New(Old):
        status: Literal["ok"]

    changes = compare_schemas("t", schema(Old), schema(New))
    assert kinds(changes) == {("removed_enum_value", "status")}
    assert "'error'" in str(changes[0])


def test_nested_refs_and_arrays_are_walked() -> None:
    class Usage2(BaseModel):
        input_tokens: str  # retyped inside a $defs model

    class TagsNarrowed(Old):
        usage: Usage2  # type: ignore[assignment]
        tags: list[Literal["a"]] = []  # type: ignore[assignment]

    assert kinds(compare_schemas("t", schema(Old), schema(TagsNarrowed))) == {
        ("changed_type", "usage.input_tokens"),
        ("removed_field", "usage.output_tokens"),
        ("removed_enum_value", "tags[]"),
    }


def test_optional_nested_model_is_walked_through_any_of() -> None:
    class A(BaseModel):
        usage: Usage | None = None

    class Usage3(BaseModel):
        input_tokens: int

    class B(BaseModel):
        usage: Usage3 | None = None

    assert kinds(compare_schemas("t", schema(A), schema(B))) == {
        ("removed_field", "usage.output_tokens")
    }


def test_recursive_models_terminate() -> None:
    class Node(BaseModel):
        name: str
        children: list[Node] = []

    assert compare_schemas("t", schema(Node), schema(Node)) == []


def test_only_stable_snapshots_are_guarded_and_removed_stable_type_breaks() -> None:
    class New(BaseModel):
        call_id: str

    old = {"a.v1": schema(Old, "stable"), "b.v1": schema(Old, "draft"), "c.v1": schema(Old)}
    new = {"a.v1": schema(Old), "b.v1": schema(New, "draft")}
    changes = compare_schema_sets(old, new, "x-cognive-status")
    assert [(c.subject, c.kind) for c in changes] == [("c.v1", "removed_type")]


def openapi(*models: type[BaseModel]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in models:
        s = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(s.pop("$defs", {}))
        schemas[model.__name__] = s
    return {"openapi": "3.1.0", "components": {"schemas": schemas}}


def test_openapi_bodies_compared_with_components_refs() -> None:
    class AgentOut(BaseModel):
        agent_id: str
        usage: Usage

    class Usage4(BaseModel):
        input_tokens: str

    class AgentOut2(BaseModel):
        agent_id: str
        usage: Usage4

    old = openapi(AgentOut)
    new = openapi(AgentOut2)
    new["components"]["schemas"]["AgentOut"] = new["components"]["schemas"].pop("AgentOut2")
    changes = compare_openapi("registry", old, new)
    assert ("changed_type", "usage.input_tokens") in kinds(changes)
    assert any(c.subject == "registry#Usage" and c.kind == "removed_type" for c in changes)
    assert compare_openapi("registry", old, old) == []
