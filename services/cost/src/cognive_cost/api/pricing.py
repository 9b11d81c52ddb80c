"""/v1/pricing: the catalog (genai-prices plus overrides), overrides, unpriced models."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from cognive_contracts.http.cost import (
    PriceOut,
    PriceOverrideCreate,
    PriceOverrideEnd,
    UnpricedModelOut,
)
from cognive_contracts.http.pagination import Page
from cognive_cost.api.deps import CostState, Reader, State
from cognive_cost.catalog.store import price_key
from cognive_cost.domain.overrides import create_override, end_override, fold_price, price_stream
from cognive_runtime.auth import AuthDep, Principal, UserPrincipal, ensure_team_role
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.http.commands import command, forbidden, not_found, readable_teams
from cognive_runtime.http.cursor import decode_cursor, encode_cursor
from cognive_runtime.http.idempotency import remember, replay
from cognive_runtime.projections.base import pooled_connection

router = APIRouter(prefix="/v1/pricing", tags=["pricing"])


def _ensure_may_price(principal: Principal, team_id: str | None) -> None:
    if team_id is None:
        if not (isinstance(principal, UserPrincipal) and principal.is_org_admin):
            raise forbidden("a global price override needs an organisation admin")
        return
    ensure_team_role(principal, team_id, "team_lead")


def _out(row: Any) -> PriceOut:
    return PriceOut(
        price_id=row["price_id"],
        provider=row["provider"],
        model=row["model"],
        source=row["source"],
        catalog_version=row["catalog_version"],
        effective_from=row["effective_from"],
        effective_to=row["effective_to"],
        prices=row["prices"],
        tiers=row["tiers"],
        team_id=row["team_id"],
    )


async def _row(state: CostState, price_id: str) -> Any:
    return await state.pool.fetchrow("SELECT * FROM prices WHERE price_id = $1", price_id)


@router.get("", response_model=Page[PriceOut])
async def list_prices(
    state: State,
    principal: Reader,
    provider: str | None = None,
    model: str | None = None,
    source: str | None = None,
    at: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> Page[PriceOut]:
    """`model` matches as the pricing does (genai-prices' model matching)."""
    key = price_key(provider or "", model) if model else None
    after = decode_cursor(cursor, 1)[0] if cursor else ""
    rows = await state.pool.fetch(
        "SELECT * FROM prices WHERE ($1::text IS NULL OR price_key = $1)"
        " AND ($2::text IS NULL OR lower(provider) = lower($2))"
        " AND ($3::text IS NULL OR source = $3)"
        " AND ($4::timestamptz IS NULL OR (effective_from <= $4"
        "      AND (effective_to IS NULL OR effective_to > $4)))"
        " AND price_id > $5 ORDER BY price_id LIMIT $6",
        key,
        provider if not model else None,
        source,
        at,
        after,
        limit + 1,
    )
    teams = readable_teams(principal)
    items = [
        _out(r)
        for r in rows[:limit]
        if r["team_id"] is None or teams is None or r["team_id"] in teams
    ]
    more = len(rows) > limit
    return Page[PriceOut](
        items=items, next_cursor=encode_cursor(rows[limit - 1]["price_id"]) if more else None
    )


@router.post("", status_code=201, response_model=PriceOut)
async def create(
    body: PriceOverrideCreate,
    state: State,
    principal: AuthDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> PriceOut | JSONResponse:
    _ensure_may_price(principal, body.team_id)
    price_id = body.price_id or f"ov_{uuid.uuid4().hex[:20]}"
    key = price_key(body.provider, body.model)
    async with command(state.pool, "pricing-rule") as conn:
        if cached := await replay(
            conn, principal.subject, "pricing", idempotency_key, body.model_dump(mode="json")
        ):
            return cached
        await execute(
            conn,
            price_stream(price_id),
            fold_price,
            lambda current: create_override(
                current,
                price_id=price_id,
                provider=body.provider,
                model=body.model,
                effective_from=body.effective_from,
                effective_to=body.effective_to,
                prices=body.prices,
                tiers=list(body.tiers),
                team_id=body.team_id,
            ),
            principal.subject,
            extra_metadata={"price_key": key},
        )
    await catch_up(state.pool, state.projections)
    row = await _row(state, price_id)
    out = _out(row)
    async with pooled_connection(state.pool) as conn:
        await remember(
            conn,
            principal.subject,
            "pricing",
            idempotency_key,
            body.model_dump(mode="json"),
            201,
            out.model_dump(mode="json"),
        )
    return out


@router.post("/{price_id}/end", response_model=PriceOut)
async def end(price_id: str, body: PriceOverrideEnd, state: State, principal: AuthDep) -> PriceOut:
    row = await _row(state, price_id)
    if row is None:
        raise not_found(f"price {price_id}")
    _ensure_may_price(principal, row["team_id"])
    async with command(state.pool, "pricing-rule") as conn:
        await execute(
            conn,
            price_stream(price_id),
            fold_price,
            lambda current: end_override(current, body.effective_to),
            principal.subject,
            extra_metadata={"price_key": row["price_key"]},
        )
    await catch_up(state.pool, state.projections)
    return _out(await _row(state, price_id))


@router.get("/unpriced", response_model=list[UnpricedModelOut])
async def unpriced(state: State, principal: Reader) -> list[UnpricedModelOut]:
    """Models with calls waiting for a price: they are counted at $0 nowhere; they are
    priced when a price arrives (an override)."""
    teams = readable_teams(principal)
    rows = await state.pool.fetch(
        "SELECT provider, model, count(*) AS calls, min(occurred_at) AS first_at,"
        " max(occurred_at) AS last_at, min(unpriced_reason) AS reason FROM calls"
        " WHERE status = 'unpriced' AND ($1::text[] IS NULL OR team_id = ANY($1))"
        " GROUP BY provider, model ORDER BY count(*) DESC, provider, model",
        teams,
    )
    return [UnpricedModelOut(**dict(r)) for r in rows]
