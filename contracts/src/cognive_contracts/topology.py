"""The topology manifest (``topology.yaml``) as typed, immutable models.

Queue and exchange names are data; the runtime declares exactly what this returns, and
the test harness declares a prefixed copy (``with_prefix``) per test run so runs never
share a queue.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict

from cognive_contracts.routing import topic_matches

QueueArgument = str | int
DLX_KEY = "x-dead-letter-exchange"
DLX_ROUTING_KEY = "x-dead-letter-routing-key"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ExchangeSpec(_Frozen):
    name: str
    type: Literal["topic", "fanout", "direct"]
    durable: bool = True
    # Where the broker sends what no queue binds (declared as `alternate-exchange`).
    alternate_exchange: str | None = None


class QueueSpec(_Frozen):
    name: str
    # The exchange the bindings are on.
    exchange: str
    bindings: tuple[str, ...]
    arguments: dict[str, QueueArgument]

    def receives(self, routing_key: str) -> bool:
        return any(topic_matches(b, routing_key) for b in self.bindings)


class ServiceTopology(_Frozen):
    name: str
    publishes: tuple[str, ...]
    queues: tuple[QueueSpec, ...]
    dlq: QueueSpec

    @property
    def dlq_routing_key(self) -> str:
        """The key under which a consumer publishes a poison event to the DLX."""
        return self.dlq.bindings[0]


class TopologyManifest(_Frozen):
    prefix: str = ""
    events_exchange: ExchangeSpec
    unroutable_exchange: ExchangeSpec
    dead_letter_exchange: ExchangeSpec
    unroutable_queue: QueueSpec
    services: tuple[ServiceTopology, ...]

    def service(self, name: str) -> ServiceTopology:
        for svc in self.services:
            if svc.name == name:
                return svc
        raise KeyError(f"no service {name!r} in the topology manifest")

    @property
    def exchanges(self) -> tuple[ExchangeSpec, ...]:
        # Declaration order: the alternate exchange must exist before the one naming it.
        return (self.unroutable_exchange, self.dead_letter_exchange, self.events_exchange)

    @property
    def consumer_queues(self) -> tuple[QueueSpec, ...]:
        return tuple(q for svc in self.services for q in svc.queues)

    @property
    def all_queues(self) -> tuple[QueueSpec, ...]:
        """Every queue to declare: consumer queues, DLQs and the unroutable queue."""
        dlqs = tuple(svc.dlq for svc in self.services)
        return (*self.consumer_queues, *dlqs, self.unroutable_queue)

    def queues_binding(self, routing_key: str) -> tuple[QueueSpec, ...]:
        """The consumer queues that receive an event of this routing key."""
        return tuple(q for q in self.consumer_queues if q.receives(routing_key))

    def publisher_of(self, routing_key: str) -> str | None:
        for svc in self.services:
            if routing_key in svc.publishes:
                return svc.name
        return None

    def with_prefix(self, prefix: str) -> TopologyManifest:
        """A copy with every exchange, queue and dead-letter target renamed, for test
        isolation. Routing keys and binding patterns stay as they are: they are matched
        inside the (renamed) exchange."""

        def ex(spec: ExchangeSpec) -> ExchangeSpec:
            alt = spec.alternate_exchange
            return spec.model_copy(
                update={"name": prefix + spec.name, "alternate_exchange": alt and prefix + alt}
            )

        def q(spec: QueueSpec) -> QueueSpec:
            args = dict(spec.arguments)
            for key in (DLX_KEY, DLX_ROUTING_KEY):
                if key in args:
                    args[key] = f"{prefix}{args[key]}"
            # A queue bound to the DLX is bound by its own (prefixed) name.
            bindings = spec.bindings
            if spec.exchange == self.dead_letter_exchange.name:
                bindings = tuple(prefix + b for b in bindings)
            return spec.model_copy(
                update={
                    "name": prefix + spec.name,
                    "exchange": prefix + spec.exchange,
                    "bindings": bindings,
                    "arguments": args,
                }
            )

        services = tuple(
            s.model_copy(update={"queues": tuple(q(x) for x in s.queues), "dlq": q(s.dlq)})
            for s in self.services
        )
        return self.model_copy(
            update={
                "prefix": self.prefix + prefix,
                "events_exchange": ex(self.events_exchange),
                "unroutable_exchange": ex(self.unroutable_exchange),
                "dead_letter_exchange": ex(self.dead_letter_exchange),
                "unroutable_queue": q(self.unroutable_queue),
                "services": services,
            }
        )


def parse_manifest(doc: dict[str, Any]) -> TopologyManifest:
    """Build the manifest from the YAML document, expanding queue defaults."""
    exchanges = doc["exchanges"]
    events = ExchangeSpec(**exchanges["events"], alternate_exchange=exchanges["unroutable"]["name"])
    unroutable = ExchangeSpec(**exchanges["unroutable"])
    dlx = ExchangeSpec(**exchanges["dead_letter"])
    defaults: dict[str, QueueArgument] = dict(doc["queue_defaults"])
    dlq_args: dict[str, QueueArgument] = dict(doc["dlq_arguments"])
    services = []
    for name, spec in doc["services"].items():
        dlq_name = f"{name}.dlq"
        queues = tuple(
            QueueSpec(
                name=qd["name"],
                exchange=events.name,
                bindings=tuple(qd["bindings"]),
                arguments={
                    **defaults,
                    **qd.get("arguments", {}),
                    DLX_KEY: dlx.name,
                    DLX_ROUTING_KEY: dlq_name,
                },
            )
            for qd in spec.get("queues", [])
        )
        dlq = QueueSpec(name=dlq_name, exchange=dlx.name, bindings=(dlq_name,), arguments=dlq_args)
        services.append(
            ServiceTopology(
                name=name, publishes=tuple(spec.get("publishes", [])), queues=queues, dlq=dlq
            )
        )
    unroutable_queue = QueueSpec(
        name=doc["unroutable_queue"],
        exchange=unroutable.name,
        bindings=("",),  # a fanout exchange ignores the key
        arguments=dlq_args,
    )
    return TopologyManifest(
        events_exchange=events,
        unroutable_exchange=unroutable,
        dead_letter_exchange=dlx,
        unroutable_queue=unroutable_queue,
        services=tuple(services),
    )


@cache
def load_manifest() -> TopologyManifest:
    text = resources.files("cognive_contracts").joinpath("topology.yaml").read_text("utf-8")
    return parse_manifest(yaml.safe_load(text))
