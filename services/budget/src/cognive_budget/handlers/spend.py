"""`cost.llm_call.priced|repriced.v1` → the spend ledger, in the inbox transaction.

The counters a batch touches are locked in a fixed order (no deadlock between replicas),
the domain folds the calls into them, and the new totals, the private
`budget.spend.applied` records and any alert go in with the inbox rows: a redelivery
changes nothing, and two replicas cannot both see a threshold as newly crossed. The alert
guard table is the second line of that defence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import structlog

from cognive_budget.domain.estimate import micros_per_mtok
from cognive_budget.domain.scope import CallScope
from cognive_budget.domain.spend import (
    SPEND_APPLIED,
    Counter,
    Spend,
    SpendApplied,
    alert_event_id,
    counters_for,
    plan,
)
from cognive_budget.ledger.policies import load_active_policies
from cognive_budget.metrics import SPEND_APPLIED_TOTAL, THRESHOLDS_CROSSED
from cognive_contracts.events.cost import LlmCallPricedV1, LlmCallRepricedV1, LlmCallUnpricedV1
from cognive_runtime.consumer.types import Handler, Inbound
from cognive_runtime.eventlog import NewEvent, StreamAppend, append

log = structlog.get_logger(__name__)

_LOCK_COUNTERS = """
WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
        AS w(policy_id, period_key, period_start, period_end)
    ORDER BY policy_id, period_key
)
INSERT INTO spend_counters (policy_id, period_key, period_start, period_end, updated_at)
SELECT policy_id, period_key, period_start, period_end, now() FROM wanted
ON CONFLICT DO NOTHING
"""

_SELECT_COUNTERS = """
SELECT c.* FROM spend_counters c
JOIN unnest($1::text[], $2::text[]) AS w(policy_id, period_key)
  ON c.policy_id = w.policy_id AND c.period_key = w.period_key
ORDER BY c.policy_id, c.period_key
FOR UPDATE OF c
"""

_UPDATE_COUNTERS = """
UPDATE spend_counters c SET spent_micros = u.spent, calls = u.calls, version = u.version,
    updated_at = now()
FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::bigint[])
    AS u(policy_id, period_key, spent, calls, version)
WHERE c.policy_id = u.policy_id AND c.period_key = u.period_key
"""

_GUARD_ALERTS = """
INSERT INTO alerts_emitted (policy_id, period_key, threshold)
SELECT * FROM unnest($1::text[], $2::text[], $3::int[])
ON CONFLICT DO NOTHING
RETURNING policy_id, period_key, threshold
"""

_RATES = """
INSERT INTO model_rates (model, micros_per_mtok)
SELECT * FROM unnest($1::text[], $2::bigint[])
ON CONFLICT (model) DO UPDATE
    SET micros_per_mtok = greatest(model_rates.micros_per_mtok, excluded.micros_per_mtok)
    WHERE excluded.micros_per_mtok > model_rates.micros_per_mtok
"""


async def on_spend(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    spends = await _spends(conn, events)
    policies = await load_active_policies(conn)
    wanted: dict[tuple[str, str], tuple[Any, Any]] = {}
    for spend in spends:
        for policy, bounds in counters_for(spend, policies):
            wanted.setdefault((policy.policy_id, bounds.key), (bounds.start, bounds.end))
    keys = sorted(wanted)
    counters: dict[tuple[str, str], Counter] = {}
    if keys:
        await conn.execute(
            _LOCK_COUNTERS,
            [k[0] for k in keys],
            [k[1] for k in keys],
            [wanted[k][0] for k in keys],
            [wanted[k][1] for k in keys],
        )
        for row in await conn.fetch(_SELECT_COUNTERS, [k[0] for k in keys], [k[1] for k in keys]):
            counters[(row["policy_id"], row["period_key"])] = Counter(
                policy_id=row["policy_id"],
                period_key=row["period_key"],
                period_start=row["period_start"],
                period_end=row["period_end"],
                spent_micros=row["spent_micros"],
                calls=row["calls"],
                version=row["version"],
            )
    result = plan(spends, policies, counters)
    touched = [c for c in counters.values() if c.touched]
    if touched:
        await conn.execute(
            _UPDATE_COUNTERS,
            [c.policy_id for c in touched],
            [c.period_key for c in touched],
            [c.spent_micros for c in touched],
            [c.calls for c in touched],
            [c.version for c in touched],
        )
    appends = [
        StreamAppend(
            f"spend-{applied.call_id}",
            [
                NewEvent(
                    SPEND_APPLIED,
                    applied,
                    metadata=_metadata(inbound),
                )
            ],
        )
        for applied, inbound in zip(result.applied, events, strict=True)
    ]
    if result.alerts:
        causes = {inbound.event_id: inbound for inbound in events}
        guarded = await conn.fetch(
            _GUARD_ALERTS,
            [a.policy_id for a in result.alerts],
            [a.period_key for a in result.alerts],
            [a.mark for a in result.alerts],
        )
        fresh = {(r["policy_id"], r["period_key"], r["threshold"]) for r in guarded}
        for alert in result.alerts:
            key = (alert.policy_id, alert.period_key, alert.mark)
            if key not in fresh:
                continue
            fresh.discard(key)
            appends.append(
                StreamAppend(
                    f"alerts-{alert.policy_id}",
                    [
                        NewEvent(
                            alert.event.event_type,
                            alert.event,
                            event_id=alert_event_id(*key),
                            metadata=_metadata(causes[alert.cause]),
                        )
                    ],
                )
            )
            THRESHOLDS_CROSSED.labels(alert.event.event_type).inc()
    await append(conn, appends)
    await _learn_rates(conn, events)
    SPEND_APPLIED_TOTAL.inc(len(spends))


async def _spends(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> list[Spend]:
    """Each call with the team it spends for: the event's, else the agent's as budget knows
    it, else the sending key's team."""
    missing_agents = {i.payload.agent_id for i in events if i.payload.team_id is None}
    agent_teams: dict[str, str] = {}
    key_teams: dict[str, str] = {}
    if missing_agents:
        rows = await conn.fetch(
            "SELECT agent_id, team_id FROM agents WHERE agent_id = ANY($1::text[])",
            list(missing_agents),
        )
        agent_teams = {r["agent_id"]: r["team_id"] for r in rows}
        key_ids = [i.payload.api_key_id for i in events if i.payload.api_key_id]
        if key_ids:
            rows = await conn.fetch(
                "SELECT key_id, team_id FROM api_keys WHERE key_id = ANY($1::text[])", key_ids
            )
            key_teams = {r["key_id"]: r["team_id"] for r in rows if r["team_id"]}
    spends: list[Spend] = []
    for inbound in events:
        p = inbound.payload
        team = (
            p.team_id
            or agent_teams.get(p.agent_id)
            or (key_teams.get(p.api_key_id) if p.api_key_id else None)
        )
        if isinstance(p, LlmCallRepricedV1):
            amount, reservation, source = p.delta_micros, None, "repriced"
        else:
            amount, reservation, source = p.total_micros, p.reservation_id, "priced"
        spends.append(
            Spend(
                event_id=inbound.event_id,
                call_id=p.call_id,
                source=source,
                amount_micros=amount,
                reservation_id=reservation,
                scope=CallScope(agent_id=p.agent_id, team_id=team, run_id=p.run_id),
                model=p.model,
                occurred_at=p.occurred_at,
            )
        )
    return spends


async def _learn_rates(conn: asyncpg.Connection, events: Sequence[Inbound[Any]]) -> None:
    best: dict[str, int] = {}
    for inbound in events:
        p = inbound.payload
        if not isinstance(p, LlmCallPricedV1):
            continue
        rate = micros_per_mtok(p.total_micros, p.usage)
        if rate is not None and rate > best.get(p.model, -1):
            best[p.model] = rate
    if best:
        models = sorted(best)
        await conn.execute(_RATES, models, [best[m] for m in models])


def _metadata(inbound: Inbound[Any]) -> dict[str, str]:
    envelope = inbound.envelope
    metadata = {"actor": envelope.actor or "system", "causation_id": str(envelope.id)}
    if envelope.traceparent:
        metadata["traceparent"] = envelope.traceparent
    return metadata


async def on_unpriced(
    conn: asyncpg.Connection, events: Sequence[Inbound[LlmCallUnpricedV1]]
) -> None:
    """An unpriced call spent something nobody can price yet: its reservation is released
    now (nothing is counted); the spend is counted when cost prices it."""
    appends = []
    for inbound in events:
        p = inbound.payload
        if p.reservation_id is None:
            continue
        released = SpendApplied(
            call_id=p.call_id,
            source="unpriced",
            amount_micros=0,
            reservation_id=p.reservation_id,
            agent_id=p.agent_id,
            team_id=p.team_id,
            run_id=p.run_id,
            model=p.model,
            occurred_at=p.occurred_at,
            counters=[],
        )
        appends.append(
            StreamAppend(
                f"spend-{p.call_id}",
                [NewEvent(SPEND_APPLIED, released, metadata=_metadata(inbound))],
            )
        )
    await append(conn, appends)


def spend_handlers() -> Mapping[str, Handler]:
    return {
        LlmCallPricedV1.event_type: on_spend,
        LlmCallRepricedV1.event_type: on_spend,
        LlmCallUnpricedV1.event_type: on_unpriced,
    }
