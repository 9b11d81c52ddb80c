"""Opaque pagination cursors: the last row's sort key, as URL-safe base64 JSON."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cognive_runtime.problems import FieldProblem, ProblemError, problem_type


def encode_cursor(*key: Any) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        key = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise bad_cursor() from exc
    if not isinstance(key, list) or len(key) != arity:
        raise bad_cursor()
    return key


def bad_cursor() -> ProblemError:
    return ProblemError(
        status=400,
        title="Bad Request",
        detail="cursor is not one this API issued",
        type=problem_type("validation"),
        errors=[FieldProblem(field="cursor", msg="invalid cursor", type="cursor")],
    )
