"""Reading the broker's real state with `rabbitmqctl` (the test broker has no management
plugin). Tests compare it with the manifest; the session cleanup finds leftovers with it."""

from __future__ import annotations

import asyncio
import json
import shutil
from typing import Any

# rabbitmqctl prints arguments as [name, amqp type, value] triples.
Arguments = dict[str, Any]


def available() -> bool:
    return shutil.which("rabbitmqctl") is not None


async def _list(command: str, *columns: str) -> list[dict[str, Any]]:
    proc = await asyncio.create_subprocess_exec(
        "rabbitmqctl",
        command,
        *columns,
        "--formatter",
        "json",
        "-q",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {command} failed: {err.decode(errors='replace')}")
    rows: list[dict[str, Any]] = json.loads(out or b"[]")
    return rows


def arguments(raw: list[list[Any]]) -> Arguments:
    return {name: value for name, _type, value in raw}


def _describe(row: dict[str, Any]) -> dict[str, Any]:
    args = arguments(row["arguments"])
    return {"type": row["type"], "durable": row["durable"], "arguments": args}


async def list_queues(prefix: str) -> dict[str, dict[str, Any]]:
    """name → {type, durable, arguments} of the queues whose name starts with `prefix`."""
    rows = await _list("list_queues", "name", "type", "durable", "arguments")
    return {r["name"]: _describe(r) for r in rows if r["name"].startswith(prefix)}


async def list_exchanges(prefix: str) -> dict[str, dict[str, Any]]:
    rows = await _list("list_exchanges", "name", "type", "durable", "arguments")
    return {r["name"]: _describe(r) for r in rows if r["name"].startswith(prefix)}


async def list_bindings(prefix: str) -> set[tuple[str, str, str]]:
    """(exchange, queue, routing key) of the bindings on exchanges named with `prefix`
    (the implicit default-exchange bindings are left out)."""
    rows = await _list(
        "list_bindings", "source_name", "destination_name", "destination_kind", "routing_key"
    )
    return {
        (r["source_name"], r["destination_name"], r["routing_key"])
        for r in rows
        if r["source_name"].startswith(prefix) and r["destination_kind"] == "queue"
    }
