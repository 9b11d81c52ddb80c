"""/v1/channels: a team's webhook, e-mail and Slack channels. Team leads manage them;
anyone in the team reads them. Secrets and URLs are never returned after creation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from cognive_contracts.http.notification import (
    ChannelCreate,
    ChannelCreated,
    ChannelOut,
    ChannelTestResult,
    ChannelUpdate,
    SecretRotated,
)
from cognive_contracts.http.pagination import Page
from cognive_notification.api.deps import NotificationState, State
from cognive_notification.config_store import ChannelConfig
from cognive_notification.delivery.network import pin
from cognive_notification.domain import signing
from cognive_notification.domain.channels import (
    channel_stream,
    create_channel,
    disable_channel,
    fold_channel,
    redact_url,
    update_channel,
)
from cognive_notification.domain.ssrf import UrlRefused
from cognive_runtime.auth import AuthDep, Principal, ensure_team_role
from cognive_runtime.commands import catch_up, execute
from cognive_runtime.http.commands import (
    command,
    not_found,
    readable_teams,
    teams_in_scope,
)
from cognive_runtime.http.cursor import decode_cursor, encode_cursor
from cognive_runtime.http.idempotency import remember, replay
from cognive_runtime.problems import FieldProblem, ProblemError, problem_type
from cognive_runtime.projections.base import pooled_connection

router = APIRouter(prefix="/v1/channels", tags=["channels"])


def invalid(field: str, detail: str) -> ProblemError:
    return ProblemError(
        422,
        "Unprocessable Content",
        detail,
        type=problem_type("validation"),
        errors=[FieldProblem(f"body.{field}", detail)],
    )


async def vet_url(state: NotificationState, url: str) -> None:
    """The SSRF guard at creation (it runs again at every send)."""
    try:
        await pin(url, state.sender.resolver, state.sender.allow_list)
    except UrlRefused as exc:
        raise invalid("url", exc.reason) from exc


def _out(row: Any) -> ChannelOut:
    return ChannelOut(**{k: row[k] for k in ChannelOut.model_fields})


async def _row(state: NotificationState, channel_id: str) -> Any:
    return await state.pool.fetchrow("SELECT * FROM channels WHERE channel_id = $1", channel_id)


async def _managed(state: NotificationState, principal: Principal, channel_id: str) -> Any:
    row = await _row(state, channel_id)
    teams = readable_teams(principal)
    if row is None or (teams is not None and row["team_id"] not in teams):
        raise not_found(f"channel {channel_id}")
    ensure_team_role(principal, row["team_id"], "team_lead")
    return row


@router.post("", status_code=201, response_model=ChannelCreated)
async def create(
    body: ChannelCreate,
    state: State,
    principal: AuthDep,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> ChannelCreated | JSONResponse:
    ensure_team_role(principal, body.team_id, "team_lead")
    url = str(body.url) if body.url else None
    if body.kind in ("webhook", "slack"):
        if url is None:
            raise invalid("url", f"a {body.kind} channel needs a url")
        await vet_url(state, url)
        target = redact_url(url, body.kind)
    else:
        if not body.recipients:
            raise invalid("recipients", "an e-mail channel needs recipients")
        target = ", ".join(body.recipients)
    channel_id = f"ch_{uuid.uuid4().hex[:20]}"
    secret = signing.new_secret() if body.kind == "webhook" else None
    now = datetime.now(UTC)
    request = body.model_dump(mode="json")
    async with command(state.pool, "notification-rule") as conn:
        if cached := await replay(conn, principal.subject, "channels", idempotency_key, request):
            return cached
        await execute(
            conn,
            channel_stream(channel_id),
            fold_channel,
            lambda current: create_channel(
                current, channel_id, body.team_id, body.kind, body.name, target
            ),
            principal.subject,
        )
        config = ChannelConfig(url=url, headers=dict(body.headers), recipients=body.recipients)
        await state.config.put(conn, channel_id, config, now)
        if secret is not None:
            await state.config.add_secret(conn, channel_id, secret, now, timedelta(0))
    await catch_up(state.pool, state.projections)
    out = ChannelCreated(**_out(await _row(state, channel_id)).model_dump(), signing_secret=secret)
    async with pooled_connection(state.pool) as conn:
        # The replayed answer must not carry the secret a second time.
        await remember(
            conn,
            principal.subject,
            "channels",
            idempotency_key,
            request,
            201,
            out.model_dump(mode="json", exclude={"signing_secret"}),
        )
    return out


@router.patch("/{channel_id}", response_model=ChannelOut)
async def update(
    channel_id: str, body: ChannelUpdate, state: State, principal: AuthDep
) -> ChannelOut:
    row = await _managed(state, principal, channel_id)
    now = datetime.now(UTC)
    url = str(body.url) if body.url else None
    if url is not None:
        if row["kind"] == "email":
            raise invalid("url", "an e-mail channel has recipients, not a url")
        await vet_url(state, url)
    target = redact_url(url, row["kind"]) if url else None
    if body.recipients is not None:
        target = ", ".join(body.recipients)
    async with command(state.pool, "notification-rule") as conn:
        await execute(
            conn,
            channel_stream(channel_id),
            fold_channel,
            lambda current: update_channel(current, body.name, target, enable=bool(body.enabled)),
            principal.subject,
        )
        current = await state.config.get(conn, channel_id)
        changed = current.model_copy(
            update={
                k: v
                for k, v in {
                    "url": url,
                    "headers": body.headers,
                    "recipients": body.recipients,
                }.items()
                if v is not None
            }
        )
        if changed != current:
            await state.config.put(conn, channel_id, changed, now)
        if body.enabled:
            await conn.execute(
                "UPDATE channel_health SET failing_since = NULL WHERE channel_id = $1", channel_id
            )
    await catch_up(state.pool, state.projections)
    return _out(await _row(state, channel_id))


@router.post("/{channel_id}/rotate-secret", response_model=SecretRotated)
async def rotate_secret(channel_id: str, state: State, principal: AuthDep) -> SecretRotated:
    row = await _managed(state, principal, channel_id)
    if row["kind"] != "webhook":
        raise invalid("channel_id", "only webhook channels have a signing secret")
    now = datetime.now(UTC)
    grace = timedelta(seconds=state.settings.secret_rotation_grace_s)
    secret = signing.new_secret()
    async with command(state.pool, "notification-rule") as conn:
        await execute(
            conn,
            channel_stream(channel_id),
            fold_channel,
            lambda current: update_channel(current, None, None, secret_rotated=True),
            principal.subject,
        )
        await state.config.add_secret(conn, channel_id, secret, now, grace)
    await catch_up(state.pool, state.projections)
    return SecretRotated(
        channel_id=channel_id, signing_secret=secret, previous_valid_until=now + grace
    )


@router.post("/{channel_id}/disable", response_model=ChannelOut)
async def disable(channel_id: str, state: State, principal: AuthDep) -> ChannelOut:
    await _managed(state, principal, channel_id)
    now = datetime.now(UTC)
    async with command(state.pool, "notification-rule") as conn:
        await execute(
            conn,
            channel_stream(channel_id),
            fold_channel,
            lambda current: disable_channel(current, "manual", None, now),
            principal.subject,
        )
    await catch_up(state.pool, state.projections)
    return _out(await _row(state, channel_id))


@router.post("/{channel_id}/test", response_model=ChannelTestResult)
async def send_test(channel_id: str, state: State, principal: AuthDep) -> ChannelTestResult:
    """Sends a signed test event now (not recorded as a delivery)."""
    row = await _managed(state, principal, channel_id)
    now = datetime.now(UTC)
    test_id = f"msg_test_{uuid.uuid4().hex}"
    cloudevent = {
        "specversion": "1.0",
        "id": test_id,
        "source": "/cognive/notification",
        "type": "cognive.notification.test.v1",
        "time": now.isoformat(),
        "datacontenttype": "application/json",
        "data": {"channel_id": channel_id, "team_id": row["team_id"], "message": "test"},
    }
    result = await state.sender.send(test_id, row["kind"], channel_id, cloudevent)
    return ChannelTestResult(
        delivered=result.ok,
        status_code=result.status_code,
        latency_ms=result.latency_ms,
        error=result.error,
    )


@router.get("", response_model=Page[ChannelOut])
async def list_channels(
    state: State,
    principal: AuthDep,
    team_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[ChannelOut]:
    teams = teams_in_scope(principal, team_id)
    after = decode_cursor(cursor, 1)[0] if cursor else ""
    rows = await state.pool.fetch(
        "SELECT * FROM channels WHERE ($1::text[] IS NULL OR team_id = ANY($1))"
        " AND channel_id > $2 ORDER BY channel_id LIMIT $3",
        teams,
        after,
        limit + 1,
    )
    items = [_out(r) for r in rows[:limit]]
    more = len(rows) > limit
    return Page[ChannelOut](
        items=items, next_cursor=encode_cursor(items[-1].channel_id) if more else None
    )


@router.get("/{channel_id}", response_model=ChannelOut)
async def get(channel_id: str, state: State, principal: AuthDep) -> ChannelOut:
    row = await _row(state, channel_id)
    teams = readable_teams(principal)
    if row is None or (teams is not None and row["team_id"] not in teams):
        raise not_found(f"channel {channel_id}")
    return _out(row)
