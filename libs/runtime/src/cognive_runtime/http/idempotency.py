"""`Idempotency-Key` on POSTs that create: the first answer is stored with a hash of the
request; a retry with the same key and body gets the same answer, a different body 422.

The service's own migration creates the table (it predates this module in registry, and a
runtime migration would collide with that one on a fresh schema):

    CREATE TABLE idempotency_keys (
        principal text NOT NULL, route text NOT NULL, key text NOT NULL,
        request_hash text NOT NULL, status int NOT NULL, body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (principal, route, key));
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import asyncpg
from fastapi.responses import JSONResponse

from cognive_runtime.problems import FieldProblem, ProblemError, problem_type


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def replay(
    conn: asyncpg.Connection, principal: str, route: str, key: str | None, body: Any
) -> JSONResponse | None:
    if key is None:
        return None
    row = await conn.fetchrow(
        "SELECT request_hash, status, body FROM idempotency_keys"
        " WHERE principal = $1 AND route = $2 AND key = $3",
        principal,
        route,
        key,
    )
    if row is None:
        return None
    if row["request_hash"] != request_hash(body):
        raise ProblemError(
            422,
            "Unprocessable Content",
            "Idempotency-Key was used with a different request body",
            type=problem_type("idempotency-key-reused"),
            errors=[FieldProblem("Idempotency-Key", "reused with a different body")],
        )
    return JSONResponse(
        row["body"], status_code=row["status"], headers={"Idempotent-Replayed": "true"}
    )


async def remember(
    conn: asyncpg.Connection,
    principal: str,
    route: str,
    key: str | None,
    body: Any,
    status: int,
    response: Any,
) -> None:
    if key is None:
        return
    await conn.execute(
        "INSERT INTO idempotency_keys (principal, route, key, request_hash, status, body)"
        " VALUES ($1, $2, $3, $4, $5, $6::text::jsonb) ON CONFLICT DO NOTHING",
        principal,
        route,
        key,
        request_hash(body),
        status,
        json.dumps(response, default=str),
    )
