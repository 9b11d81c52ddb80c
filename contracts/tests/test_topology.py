from __future__ import annotations

import pytest

from cognive_contracts.events import EVENT_MODELS
from cognive_contracts.routing import topic_matches
from cognive_contracts.topology import load_manifest

pytestmark = pytest.mark.unit

SERVICES = ("ingest", "registry", "cost", "budget", "notification")


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("registry.agent.*", "registry.agent.registered.v1", False),
        ("registry.agent.*.*", "registry.agent.registered.v1", True),
        ("registry.agent.#", "registry.agent.registered.v1", True),
        ("registry.agent.#", "registry.agent", True),
        ("registry.agent.#", "registry.agents.registered.v1", False),
        ("*.llm_call.*.v1", "ingest.llm_call.recorded.v1", True),
        ("*.llm_call.*.v1", "cost.llm_call.priced.v2", False),
        ("#", "anything.at.all", True),
        ("#.v1", "budget.exceeded.v1", True),
        ("#.v1", "budget.exceeded.v2", False),
        ("budget.#.v1", "budget.v1", True),
        ("a.#.b.#.c", "a.x.b.y.z.c", True),
        ("a.#.b.#.c", "a.x.c", False),
        ("*", "a.b", False),
        ("*", "a", True),
        ("ingest.run.started.v1", "ingest.run.started.v1", True),
        ("ingest.run.started.v1", "ingest.run.started.v10", False),
    ],
)
def test_topic_matching(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected


def test_services_and_publishers() -> None:
    manifest = load_manifest()
    assert tuple(s.name for s in manifest.services) == SERVICES
    published = [rk for s in manifest.services for rk in s.publishes]
    assert sorted(published) == sorted(EVENT_MODELS), "each type has exactly one publisher"
    for svc in manifest.services:
        assert all(rk.startswith(svc.name + ".") for rk in svc.publishes)


def test_every_bound_type_is_published_and_every_binding_matches_something() -> None:
    manifest = load_manifest()
    for queue in manifest.consumer_queues:
        for binding in queue.bindings:
            matched = [rk for rk in EVENT_MODELS if topic_matches(binding, rk)]
            assert matched, f"{queue.name}: binding {binding!r} matches no event type"
            for rk in matched:
                assert manifest.publisher_of(rk) is not None


def test_queue_names_and_arguments() -> None:
    manifest = load_manifest()
    for svc in manifest.services:
        assert svc.dlq.name == f"{svc.name}.dlq"
        assert svc.dlq.exchange == "cognive.dlx"
        assert svc.dlq.bindings == (f"{svc.name}.dlq",)
        assert svc.dlq_routing_key == f"{svc.name}.dlq"
        assert svc.dlq.arguments["x-queue-type"] == "quorum"
        for queue in svc.queues:
            assert queue.name.startswith(svc.name + ".")
            assert queue.exchange == "cognive.events"
            assert queue.arguments == {
                "x-queue-type": "quorum",
                "x-delivery-limit": 20,
                "x-dead-letter-exchange": "cognive.dlx",
                "x-dead-letter-routing-key": f"{svc.name}.dlq",
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
                "x-max-length": 1_000_000,
            }
    assert manifest.events_exchange.type == "topic"
    assert manifest.events_exchange.alternate_exchange == "cognive.unroutable"
    assert manifest.unroutable_exchange.type == "fanout"
    assert manifest.dead_letter_exchange.type == "direct"
    assert manifest.unroutable_queue.name == "cognive.unroutable"
    names = [q.name for q in manifest.all_queues]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("routing_key", "queues"),
    [
        (
            "registry.agent.registered.v1",
            {"ingest.registry", "cost.registry", "budget.registry"},
        ),
        (
            "registry.api_key.revoked.v1",
            {"ingest.registry", "cost.registry", "budget.registry", "notification.registry"},
        ),
        ("registry.team.created.v1", set()),
        ("ingest.llm_call.recorded.v1", {"cost.llm_calls"}),
        ("ingest.run.ended.v1", {"budget.runs"}),
        ("ingest.policy.violated.v1", {"notification.alerts"}),
        ("cost.llm_call.priced.v1", {"budget.spend"}),
        ("cost.llm_call.unpriced.v1", {"budget.spend"}),
        ("cost.pricing.changed.v1", {"registry.audit"}),
        ("budget.policy.defined.v1", {"registry.audit"}),
        ("budget.threshold.crossed.v1", {"notification.alerts"}),
        ("notification.subscription.deleted.v1", {"registry.audit"}),
        ("notification.delivery.failed.v1", set()),
    ],
)
def test_queues_binding(routing_key: str, queues: set[str]) -> None:
    assert {q.name for q in load_manifest().queues_binding(routing_key)} == queues


def test_registry_audits_other_services_admin_events_only() -> None:
    from cognive_contracts.events import is_admin_event

    manifest = load_manifest()
    audit = manifest.service("registry").queues[0]
    for rk in EVENT_MODELS:
        expected = is_admin_event(rk) and not rk.startswith("registry.")
        assert audit.receives(rk) is expected, rk


def test_with_prefix_renames_everything_consistently() -> None:
    base = load_manifest()
    p = base.with_prefix("t1a2b.")
    assert p.prefix == "t1a2b."
    assert p.events_exchange.name == "t1a2b.cognive.events"
    assert p.events_exchange.alternate_exchange == "t1a2b.cognive.unroutable"
    assert p.unroutable_exchange.name == "t1a2b.cognive.unroutable"
    assert p.dead_letter_exchange.name == "t1a2b.cognive.dlx"
    assert p.unroutable_queue.exchange == "t1a2b.cognive.unroutable"
    exchange_names = {e.name for e in p.exchanges}
    for old, new in zip(base.all_queues, p.all_queues, strict=True):
        assert new.name == "t1a2b." + old.name
        assert new.exchange in exchange_names
        if "x-dead-letter-exchange" in new.arguments:
            assert new.arguments["x-dead-letter-exchange"] == p.dead_letter_exchange.name
            dlq = new.arguments["x-dead-letter-routing-key"]
            assert any(s.dlq.name == dlq and s.dlq.bindings == (dlq,) for s in p.services)
        # Event bindings are routing keys inside the renamed exchange: unchanged.
        if old.exchange == base.events_exchange.name:
            assert new.bindings == old.bindings
    assert p.publisher_of("cost.llm_call.priced.v1") == "cost"
    assert {q.name for q in p.queues_binding("ingest.llm_call.recorded.v1")} == {
        "t1a2b.cost.llm_calls"
    }
    # The original is untouched (it is cached and shared).
    assert load_manifest().events_exchange.name == "cognive.events"


def test_unknown_service() -> None:
    with pytest.raises(KeyError):
        load_manifest().service("billing")
