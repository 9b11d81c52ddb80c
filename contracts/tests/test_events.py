from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from contract_samples import sample_payload
from pydantic import ValidationError

from cognive_contracts.envelope import CONTENT_TYPE_BATCH, decode, encode_batch
from cognive_contracts.events import (
    EVENT_MODELS,
    LlmCallPricedV1,
    LlmCallRecordedV1,
    UnknownEventType,
    is_admin_event,
    model_for,
    parse_data,
    to_cloudevent,
)

pytestmark = pytest.mark.unit

ARCHITECTURE_TYPES = {
    "ingest": "run.started run.ended step.recorded llm_call.recorded tool_call.recorded "
    "policy.violated",
    "registry": "team.created team.updated agent.registered agent.updated agent.retired "
    "api_key.issued api_key.revoked user.created role.granted role.revoked",
    "cost": "llm_call.priced llm_call.unpriced llm_call.repriced pricing.changed",
    "budget": "policy.defined policy.updated policy.archived period.rolled threshold.crossed "
    "exceeded call.blocked",
    "notification": "channel.created channel.updated channel.disabled subscription.created "
    "subscription.deleted delivery.succeeded delivery.failed",
}


def test_every_type_of_the_architecture_has_a_model() -> None:
    expected = {
        f"{svc}.{name}.v1" for svc, names in ARCHITECTURE_TYPES.items() for name in names.split()
    }
    assert set(EVENT_MODELS) == expected


@pytest.mark.parametrize("routing_key", sorted(EVENT_MODELS))
def test_model_constructs_and_round_trips(routing_key: str) -> None:
    model = model_for(routing_key)
    assert model.event_type == routing_key
    # Stable once the owning service's issue landed (ARCHITECTURE §5).
    assert model.contract_status == "stable"
    assert re.fullmatch(r"[A-Z][A-Za-z]+V[0-9]+", model.__name__)
    assert model.__name__.endswith("V" + routing_key.rsplit(".v", 1)[1])
    payload = model.model_validate(sample_payload(model))
    ev = to_cloudevent(
        payload,
        source_service=routing_key.split(".")[0],
        subject="stream-1",
        id=uuid4(),
        time=datetime(2026, 3, 1, tzinfo=UTC),
        sequence=7,
        actor="user:u1",
    )
    assert ev.type == "cognive." + routing_key
    assert ev.dataschema.endswith(f"/{routing_key}.json")
    [back] = decode(encode_batch([ev]), CONTENT_TYPE_BATCH)
    assert back == ev
    assert parse_data(back) == payload


@pytest.mark.parametrize("routing_key", sorted(EVENT_MODELS))
def test_unknown_fields_are_ignored_and_payload_is_frozen(routing_key: str) -> None:
    model = model_for(routing_key)
    data = sample_payload(model) | {"added_in_a_later_minor": 1}
    payload = model.model_validate(data)
    assert "added_in_a_later_minor" not in payload.model_dump()
    first_field = next(iter(model.model_fields))
    with pytest.raises(ValidationError):
        setattr(payload, first_field, None)


def _walk(node: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        types = node.get("type")
        if types == "number" or (isinstance(types, list) and "number" in types):
            found.append(path)
        for key, value in node.items():
            found += _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _walk(value, f"{path}/{i}")
    return found


@pytest.mark.parametrize("routing_key", sorted(EVENT_MODELS))
def test_no_float_anywhere_and_money_is_integer(routing_key: str) -> None:
    schema = model_for(routing_key).model_json_schema()
    assert _walk(schema, routing_key) == []
    # Every *_micros property is an integer (possibly nullable).
    for node in _iter_props(schema):
        for name, prop in node.items():
            if name.endswith("_micros"):
                kinds = {prop.get("type")} | {alt.get("type") for alt in prop.get("anyOf", [])}
                assert kinds - {None, "null"} == {"integer"}, (routing_key, name)


def _iter_props(node: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            out.append(node["properties"])
        for value in node.values():
            out += _iter_props(value)
    elif isinstance(node, list):
        for value in node:
            out += _iter_props(value)
    return out


def test_money_refuses_floats() -> None:
    data = sample_payload(LlmCallPricedV1) | {"total_micros": 1.0}
    with pytest.raises(ValidationError):
        LlmCallPricedV1.model_validate(data)


def test_token_usage_defaults_and_bounds() -> None:
    data = sample_payload(LlmCallRecordedV1) | {"usage": {"input_tokens": 10}}
    call = LlmCallRecordedV1.model_validate(data)
    assert call.usage.output_tokens == 0
    assert call.usage.cache_write_tokens == 0
    with pytest.raises(ValidationError):
        LlmCallRecordedV1.model_validate(data | {"usage": {"input_tokens": -1}})


def test_unknown_type_is_a_typed_error() -> None:
    with pytest.raises(UnknownEventType) as info:
        model_for("ingest.llm_call.recorded.v9")
    assert info.value.routing_key == "ingest.llm_call.recorded.v9"
    assert isinstance(info.value, LookupError)


def test_admin_events() -> None:
    admin = {rk for rk in EVENT_MODELS if is_admin_event(rk)}
    assert admin == {
        rk
        for rk in EVENT_MODELS
        if rk.startswith(
            (
                "registry.",
                "cost.pricing.changed.",
                "budget.policy.",
                "notification.channel.",
                "notification.subscription.",
            )
        )
    }
    assert not is_admin_event("notification.delivery.failed.v1")
    assert not is_admin_event("ingest.llm_call.recorded.v1")


@pytest.mark.parametrize("routing_key", sorted(EVENT_MODELS))
def test_pydantic_json_is_the_bytes_of_the_json_mode_dump(routing_key: str) -> None:
    """The event writer serializes a payload model with pydantic's `to_json`; it used to
    write orjson's encoding of `model_dump(mode="json")`. Both give the same bytes, so the
    log reads the same whichever wrote it."""
    import orjson

    model = model_for(routing_key)
    payload = model.model_validate(sample_payload(model))
    expected = orjson.dumps(payload.model_dump(mode="json"))
    assert payload.__pydantic_serializer__.to_json(payload) == expected
