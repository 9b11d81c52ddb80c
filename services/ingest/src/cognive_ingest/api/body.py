"""Reading a ``POST /v1/events`` body within its limits, before any JSON is parsed.

The socket is read up to ``max_bytes`` (more is refused with 413 without reading the
rest); a gzip body is inflated with a bounded output, so a small bomb cannot expand into
gigabytes; then the JSON must be an object with an ``events`` list of at most
``max_events`` items. Each failure is problem+json naming the field at fault."""

from __future__ import annotations

import json
import zlib
from typing import Any

from fastapi import Request

from cognive_runtime.problems import FieldProblem, ProblemError, problem_type

_GZIP_WBITS = 16 + zlib.MAX_WBITS


def _problem(status: int, field: str, msg: str, kind: str) -> ProblemError:
    titles = {
        400: "Bad Request",
        413: "Content Too Large",
        415: "Unsupported Media Type",
        422: "Unprocessable Content",
    }
    return ProblemError(
        status=status,
        title=titles[status],
        detail=msg,
        type=problem_type("invalid-batch" if status != 413 else "batch-too-large"),
        errors=[FieldProblem(field=field, msg=msg, type=kind)],
    )


async def read_raw(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _problem(413, "body", f"body larger than {max_bytes} bytes", "too_large")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _problem(413, "body", f"body larger than {max_bytes} bytes", "too_large")
        chunks.append(chunk)
    return b"".join(chunks)


def inflate(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip"):
        raise _problem(415, "Content-Encoding", f"unsupported encoding {encoding!r}", "encoding")
    inflater = zlib.decompressobj(_GZIP_WBITS)
    try:
        out = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise _problem(400, "body", f"not valid gzip: {exc}", "gzip") from exc
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise _problem(413, "body", f"decompressed body larger than {max_bytes} bytes", "too_large")
    if not inflater.eof or inflater.unused_data:
        raise _problem(400, "body", "not valid gzip: truncated or trailing data", "gzip")
    return out


def parse_events(body: bytes, max_events: int) -> list[Any]:
    try:
        parsed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _problem(400, "body", f"not JSON: {exc}", "json_invalid") from exc
    if not isinstance(parsed, dict):
        raise _problem(422, "body", "the body must be a JSON object", "object_type")
    if "events" not in parsed:
        raise _problem(422, "events", "field required", "missing")
    events = parsed["events"]
    if not isinstance(events, list):
        raise _problem(422, "events", "must be a list of events", "list_type")
    if not events:
        raise _problem(422, "events", "must hold at least one event", "too_short")
    if len(events) > max_events:
        raise _problem(
            413, "events", f"{len(events)} events; at most {max_events} per batch", "too_long"
        )
    return events


async def read_body(request: Request, max_bytes: int) -> bytes:
    raw = await read_raw(request, max_bytes)
    return inflate(raw, request.headers.get("content-encoding", ""), max_bytes)
