"""Opaque cursors: base64 of the last row's sort key."""

from __future__ import annotations

import base64
import json
from typing import Any

from cognive_runtime.problems import FieldProblem, ProblemError, problem_type


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str | None) -> list[Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise ProblemError(
            400,
            "Bad Request",
            "cursor is not one this API returned",
            type=problem_type("validation"),
            errors=[FieldProblem("cursor", "invalid cursor")],
        ) from exc
    if not isinstance(key, list):
        raise ProblemError(
            400, "Bad Request", "invalid cursor", errors=[FieldProblem("cursor", "invalid")]
        )
    return key
