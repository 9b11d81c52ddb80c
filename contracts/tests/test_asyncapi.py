from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cognive_contracts.asyncapi import (
    ASYNCAPI_FILE,
    build_document,
    manifest_queue_bindings,
    queue_bindings,
    render,
)
from cognive_contracts.events import EVENT_MODELS
from cognive_contracts.topology import load_manifest

pytestmark = pytest.mark.unit

CONTRACTS = Path(__file__).resolve().parents[1]


def test_committed_document_lists_the_manifest_bindings() -> None:
    committed = yaml.safe_load((CONTRACTS / ASYNCAPI_FILE).read_text())
    assert queue_bindings(committed) == manifest_queue_bindings(load_manifest())


def test_document_matches_models_and_manifest() -> None:
    manifest = load_manifest()
    doc = build_document(manifest)
    assert doc["asyncapi"] == "3.0.0"
    assert doc["servers"]["rabbitmq"]["protocol"] == "amqp"
    addresses = {c["address"] for c in doc["channels"].values()}
    assert set(EVENT_MODELS) <= addresses
    assert {q.name for q in manifest.consumer_queues} <= addresses
    sends = {
        (op["x-cognive-service"], doc_channel(doc, op)["address"])
        for op in doc["operations"].values()
        if op["action"] == "send"
    }
    assert sends == {(s.name, rk) for s in manifest.services for rk in s.publishes}
    receives = {
        doc_channel(doc, op)["address"]
        for op in doc["operations"].values()
        if op["action"] == "receive"
    }
    assert receives == {q.name for q in manifest.consumer_queues}
    for queue in manifest.consumer_queues:
        channel = doc["channels"]["queue-" + queue.name.replace(".", "-")]
        listed = {ref["$ref"].rsplit("/", 1)[-1] for ref in channel["messages"].values()}
        expected = {EVENT_MODELS[rk].__name__ for rk in EVENT_MODELS if queue.receives(rk)}
        assert listed == expected
        assert channel["x-cognive-arguments"] == queue.arguments
    for rk, model in EVENT_MODELS.items():
        message = doc["components"]["messages"][model.__name__]
        assert message["contentType"] == "application/cloudevents+json"
        assert message["x-cognive-type"] == rk
        assert model.__name__ in doc["components"]["schemas"]


def doc_channel(doc: dict[str, object], op: dict[str, dict[str, str]]) -> dict[str, str]:
    channels = doc["channels"]
    assert isinstance(channels, dict)
    result = channels[op["channel"]["$ref"].rsplit("/", 1)[-1]]
    assert isinstance(result, dict)
    return result


def test_all_refs_resolve() -> None:
    doc = build_document()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target: object = doc
                for part in ref.removeprefix("#/").split("/"):
                    assert isinstance(target, dict)
                    assert part in target, ref
                    target = target[part]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)


def test_rendering_is_deterministic_and_prefix_aware() -> None:
    assert render(build_document()) == render(build_document())
    prefixed = load_manifest().with_prefix("t9.")
    assert queue_bindings(build_document(prefixed)) == manifest_queue_bindings(prefixed)
