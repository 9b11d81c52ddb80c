"""The AsyncAPI 3.0 document generated from the event models and the topology manifest.

Channels: one per routing key on the events exchange (what publishers send to), and one
per consuming queue (what consumers receive from). Each queue channel lists its binding
patterns under ``x-cognive-bindings``, since the AMQP channel binding has no field for
them; ``queue_bindings`` reads them back so a test can compare with the broker.
"""

from __future__ import annotations

from typing import Any

import yaml

from cognive_contracts.envelope import (
    CONTENT_ENCODING_ZSTD,
    CONTENT_TYPE_BATCH,
    CONTENT_TYPE_SINGLE,
    CloudEvent,
)
from cognive_contracts.events import EVENT_MODELS
from cognive_contracts.schema_export import STATUS_KEY, TYPE_KEY
from cognive_contracts.topology import QueueSpec, TopologyManifest, load_manifest

ASYNCAPI_FILE = "asyncapi.yaml"
BINDINGS_KEY = "x-cognive-bindings"
_AMQP_BINDING_VERSION = "0.3.0"
_REF_TEMPLATE = "#/components/schemas/{model}"


def _channel_id(address: str) -> str:
    # Component keys allow [A-Za-z0-9_-]; `.` never occurs in names otherwise, so
    # replacing it with `-` is unambiguous.
    return address.replace(".", "-")


def _hoist(schema: dict[str, Any], into: dict[str, Any]) -> dict[str, Any]:
    """Move a pydantic schema's $defs into components.schemas (refs already point there)."""
    for name, definition in schema.pop("$defs", {}).items():
        if name in into and into[name] != definition:
            raise ValueError(f"two different schemas are both named {name!r}")
        into[name] = definition
    return schema


def _message(routing_key: str, schemas: dict[str, Any]) -> dict[str, Any]:
    model = EVENT_MODELS[routing_key]
    data = _hoist(model.model_json_schema(ref_template=_REF_TEMPLATE), schemas)
    schemas[model.__name__] = data
    return {
        "name": model.__name__,
        "title": routing_key,
        "contentType": CONTENT_TYPE_SINGLE,
        "summary": (model.__doc__ or routing_key).strip().splitlines()[0],
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEvent"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": f"cognive.{routing_key}"},
                        "data": {"$ref": f"#/components/schemas/{model.__name__}"},
                    },
                },
            ]
        },
        # What relays send by default; see the document's description for the rest.
        "bindings": {
            "amqp": {"contentEncoding": CONTENT_ENCODING_ZSTD, "messageType": routing_key}
        },
        STATUS_KEY: model.contract_status,
        TYPE_KEY: routing_key,
    }


def _queue_channel(queue: QueueSpec) -> dict[str, Any]:
    receives = sorted(rk for rk in EVENT_MODELS if queue.receives(rk))
    return {
        "address": queue.name,
        "messages": {EVENT_MODELS[rk].__name__: _msg_ref(rk) for rk in receives},
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {
                    "name": queue.name,
                    "durable": True,
                    "exclusive": False,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": _AMQP_BINDING_VERSION,
            }
        },
        BINDINGS_KEY: [{"exchange": queue.exchange, "routingKey": b} for b in queue.bindings],
        "x-cognive-arguments": dict(queue.arguments),
    }


def _msg_ref(routing_key: str) -> dict[str, str]:
    return {"$ref": f"#/components/messages/{EVENT_MODELS[routing_key].__name__}"}


def build_document(manifest: TopologyManifest | None = None) -> dict[str, Any]:
    manifest = manifest or load_manifest()
    exchange = manifest.events_exchange
    schemas: dict[str, Any] = {}
    schemas["CloudEvent"] = _hoist(
        CloudEvent.model_json_schema(ref_template=_REF_TEMPLATE), schemas
    )
    messages = {EVENT_MODELS[rk].__name__: _message(rk, schemas) for rk in EVENT_MODELS}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for rk in EVENT_MODELS:
        channels[_channel_id(rk)] = {
            "address": rk,
            "messages": {EVENT_MODELS[rk].__name__: _msg_ref(rk)},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {
                        "name": exchange.name,
                        "type": exchange.type,
                        "durable": exchange.durable,
                        "autoDelete": False,
                        "vhost": "/",
                    },
                    "bindingVersion": _AMQP_BINDING_VERSION,
                }
            },
        }
    for svc in manifest.services:
        for rk in svc.publishes:
            operations[f"{svc.name}-send-{_channel_id(rk)}"] = {
                "action": "send",
                "channel": {"$ref": f"#/channels/{_channel_id(rk)}"},
                "messages": [
                    {"$ref": f"#/channels/{_channel_id(rk)}/messages/{EVENT_MODELS[rk].__name__}"}
                ],
                "x-cognive-service": svc.name,
            }
        for queue in svc.queues:
            cid = "queue-" + _channel_id(queue.name)
            channels[cid] = _queue_channel(queue)
            operations[f"{svc.name}-receive-{_channel_id(queue.name)}"] = {
                "action": "receive",
                "channel": {"$ref": f"#/channels/{cid}"},
                "messages": [
                    {"$ref": f"#/channels/{cid}/messages/{name}"}
                    for name in sorted(channels[cid]["messages"])
                ],
                "x-cognive-service": svc.name,
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Cognive events",
            "version": "1.0.0",
            "description": (
                "Every event Cognive services exchange over RabbitMQ. Bodies are "
                f"CloudEvents 1.0 in structured JSON ({CONTENT_TYPE_SINGLE}) or a batch "
                f"of one type in log order ({CONTENT_TYPE_BATCH}). Relays compress "
                f"the body with {CONTENT_ENCODING_ZSTD} and set the AMQP content-encoding "
                "property to say so (the message bindings' contentEncoding); a message "
                "without the property is plain JSON. A deployment may turn compression off "
                "(relay_content_encoding=identity) for consumers that cannot read zstd."
            ),
        },
        "defaultContentType": CONTENT_TYPE_SINGLE,
        "servers": {
            "rabbitmq": {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "Local development broker; deployments override the host.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def render(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100)


def queue_bindings(document: dict[str, Any]) -> set[tuple[str, str]]:
    """The (queue, binding pattern) pairs the document lists."""
    pairs: set[tuple[str, str]] = set()
    for channel in document.get("channels", {}).values():
        for binding in channel.get(BINDINGS_KEY, []):
            pairs.add((channel["address"], binding["routingKey"]))
    return pairs


def manifest_queue_bindings(manifest: TopologyManifest) -> set[tuple[str, str]]:
    """The same pairs, straight from the manifest (consumer queues only)."""
    return {(q.name, b) for q in manifest.consumer_queues for b in q.bindings}
