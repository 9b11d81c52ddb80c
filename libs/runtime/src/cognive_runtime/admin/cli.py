"""`cognive-admin`: status, events, republish, DLQ, projections and state-at, per service.

    cognive-admin status [SERVICE ...]
    cognive-admin <service> events show|tail [--type T] [--stream S] [--from N] [--to N]
    cognive-admin <service> events republish --from N --to N [--type T] [--yes]
    cognive-admin <service> dlq list|show N|redrive [--event-id ID ...]|purge [--yes]
    cognive-admin <service> projections list|rebuild NAME [--verify]|verify NAME
    cognive-admin <service> state-at STREAM --at TIME

Each service's commands run with that service's settings (`COGNIVE_<SERVICE>_*`, the same
environment the service runs with: locally, or `kubectl exec` into its pod)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import asyncpg
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from cognive_runtime.admin import operations as ops
from cognive_runtime.admin.service_admin import SERVICES, Loaded, load
from cognive_runtime.db import apply_migrations
from cognive_runtime.projections import rebuild as rebuild_projection
from cognive_runtime.projections import verify as verify_projection

T = TypeVar("T")
console = Console()
app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)

Json = Annotated[bool, typer.Option("--json", help="JSON instead of a table")]


def run(service: Loaded, work: Callable[[ops.Handles], Awaitable[T]]) -> T:
    async def main() -> T:
        async with ops.handles(service.settings()) as h:
            return await work(h)

    return asyncio.run(main())


def _print_json(value: Any) -> None:
    console.print_json(json.dumps(value, default=str))


@app.command("status")
def status_command(
    services: Annotated[list[str] | None, typer.Argument(help="default: all five")] = None,
    as_json: Json = False,
) -> None:
    """Log head, relay lag, each projection's lag, queue and DLQ depths, per service."""
    results: list[dict[str, Any]] = []
    for name in services or list(SERVICES):
        service = load(name)
        views = service.projections()

        async def one(h: ops.Handles, views: list[Any] = views) -> dict[str, Any]:
            return await ops.status(h, views)

        try:
            results.append(run(service, one))
        except Exception as exc:  # one unreachable service must not hide the others
            results.append({"service": name, "error": str(exc)})
    if as_json:
        _print_json(results)
        return
    table = Table(title="cognive status")
    for col in ("service", "head", "relay lag", "projections (lag)", "queues", "DLQ"):
        table.add_column(col)
    for r in results:
        if "error" in r:
            table.add_row(r["service"], f"[red]{r['error'][:60]}[/]", "", "", "", "")
            continue
        table.add_row(
            r["service"],
            str(r["head_position"]),
            str(r["relay"]["lag"]),
            ", ".join(f"{p['projection']} ({p['lag']})" for p in r["projections"]),
            ", ".join(f"{q.rsplit('.', 1)[-1]}={d}" for q, d in r["queues"].items()),
            ("[red]" if r["dlq"]["depth"] else "") + str(r["dlq"]["depth"]),
        )
    console.print(table)


def _event_row(e: Any) -> dict[str, Any]:
    return {
        "position": e.global_position,
        "recorded_at": e.recorded_at.isoformat(),
        "stream": e.stream_id,
        "version": e.stream_version,
        "type": e.type,
        "event_id": str(e.event_id),
        "data": e.data,
        "metadata": e.metadata,
    }


def _events_table(rows: list[dict[str, Any]]) -> Table:
    table = Table()
    for col in ("position", "recorded_at", "stream", "type", "data"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["position"]),
            r["recorded_at"],
            f"{r['stream']}@{r['version']}",
            r["type"],
            json.dumps(r["data"])[:160],
        )
    return table


def service_app(name: str) -> typer.Typer:
    sub = typer.Typer(help=f"Commands for the {name} service.", no_args_is_help=True)
    events_app = typer.Typer(help="Read and republish the log.", no_args_is_help=True)
    dlq_app = typer.Typer(help="Poison messages with their reasons.", no_args_is_help=True)
    proj_app = typer.Typer(help="Rebuild and verify read models.", no_args_is_help=True)
    sub.add_typer(events_app, name="events")
    sub.add_typer(dlq_app, name="dlq")
    sub.add_typer(proj_app, name="projections")

    def service() -> Loaded:
        return load(name)

    @events_app.command("show")
    def events_show(
        type_: Annotated[list[str] | None, typer.Option("--type")] = None,
        stream: Annotated[str | None, typer.Option()] = None,
        from_: Annotated[int | None, typer.Option("--from", help="position")] = None,
        to: Annotated[int | None, typer.Option(help="position")] = None,
        since: Annotated[datetime | None, typer.Option(help="recorded at or after")] = None,
        until: Annotated[datetime | None, typer.Option(help="recorded at or before")] = None,
        limit: int = 100,
        as_json: Json = False,
    ) -> None:
        found = run(
            service(),
            lambda h: ops.events(
                h,
                types=type_ or (),
                stream=stream,
                from_position=from_,
                to_position=to,
                since=since,
                until=until,
                limit=limit,
            ),
        )
        rows = [_event_row(e) for e in found]
        if as_json:
            _print_json(rows)
        else:
            console.print(_events_table(rows))

    @events_app.command("tail")
    def events_tail(
        type_: Annotated[list[str] | None, typer.Option("--type")] = None,
        stream: Annotated[str | None, typer.Option()] = None,
        interval: float = 1.0,
        count: Annotated[int | None, typer.Option(help="stop after this many events")] = None,
    ) -> None:
        """Follow the log (Ctrl-C to stop)."""
        s = service()

        async def follow(h: ops.Handles) -> None:
            position = (
                int(await h.pool.fetchval("SELECT coalesce(max(global_position), 0) FROM events"))
                + 1
            )
            seen = 0
            while count is None or seen < count:
                batch = await ops.events(
                    h, types=type_ or (), stream=stream, from_position=position
                )
                for e in batch:
                    console.print_json(json.dumps(_event_row(e), default=str))
                    seen += 1
                if batch:
                    position = batch[-1].global_position + 1
                else:
                    await asyncio.sleep(interval)

        with contextlib.suppress(KeyboardInterrupt):
            run(s, follow)

    @events_app.command("republish")
    def events_republish(
        from_: Annotated[int, typer.Option("--from", help="first position")],
        to: Annotated[int, typer.Option(help="last position")],
        type_: Annotated[list[str] | None, typer.Option("--type")] = None,
        yes: Annotated[bool, typer.Option("--yes", help="skip the confirmation")] = False,
    ) -> None:
        """Publish a range of the log again (consumers' inboxes make it safe)."""
        s = service()
        count = run(s, lambda h: ops.republish(h, from_, to, type_ or (), dry_run=True))
        console.print(f"{count} event(s) of {name}'s public types in positions {from_}..{to}")
        if count == 0 or not (yes or typer.confirm("Republish them?")):
            return
        with Progress(
            TextColumn("republishing"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            console=console,
        ) as bar:
            task = bar.add_task("republish", total=count)
            done = run(
                s,
                lambda h: ops.republish(
                    h,
                    from_,
                    to,
                    type_ or (),
                    dry_run=False,
                    on_progress=lambda n: bar.update(task, completed=n),
                ),
            )
        console.print(f"republished {done} event(s)")

    @dlq_app.command("list")
    def dlq_list(as_json: Json = False) -> None:
        entries = run(service(), ops.dlq_entries)
        rows = [
            {
                "n": e.index,
                "event_id": e.event_id,
                "reason": e.reason,
                "detail": e.detail,
                "queue": e.queue,
                "failed_at": e.failed_at,
            }
            for e in entries
        ]
        if as_json:
            _print_json(rows)
            return
        table = Table(title=f"{name} DLQ: {len(rows)} message(s)")
        for col in ("n", "event_id", "reason", "detail", "queue", "failed_at"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(
                *(
                    str(r[c] or "")
                    for c in ("n", "event_id", "reason", "detail", "queue", "failed_at")
                )
            )
        console.print(table)

    @dlq_app.command("show")
    def dlq_show(n: int) -> None:
        entries = run(service(), ops.dlq_entries)
        if n >= len(entries):
            console.print(f"[red]no message {n}[/] ({len(entries)} in the DLQ)")
            raise typer.Exit(1)
        e = entries[n]
        headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in e.headers.items()}
        _print_json(
            {
                "headers": headers,
                "content_type": e.content_type,
                "content_encoding": e.content_encoding,
                "body": ops.readable_body(e.body, e.content_encoding),
            }
        )

    @dlq_app.command("redrive")
    def dlq_redrive(
        event_id: Annotated[
            list[str] | None, typer.Option("--event-id", help="default: all")
        ] = None,
    ) -> None:
        """Send messages back to the queue they failed on (after a fix)."""
        moved = run(service(), lambda h: ops.dlq_redrive(h, event_id))
        console.print(f"redrove {moved} message(s)")

    @dlq_app.command("purge")
    def dlq_purge(yes: Annotated[bool, typer.Option("--yes")] = False) -> None:
        s = service()
        count = len(run(s, ops.dlq_entries))
        if count == 0:
            console.print("the DLQ is empty")
            return
        if not (yes or typer.confirm(f"Delete {count} message(s) from {name}'s DLQ for good?")):
            raise typer.Exit(1)
        run(s, ops.dlq_purge)
        console.print(f"purged {count} message(s)")

    def projection(s: Loaded, projection_name: str) -> Any:
        for p in s.projections():
            if p.name == projection_name:
                return p
        names = ", ".join(p.name for p in s.projections())
        console.print(f"[red]no projection {projection_name!r}[/]; {name} has: {names}")
        raise typer.Exit(1)

    @proj_app.command("list")
    def projections_list() -> None:
        for p in service().projections():
            console.print(f"{p.name}: tables {', '.join(p.tables) or '-'}")

    def _progress_run(s: Loaded, label: str, work: Callable[[Any, Any], Awaitable[Any]]) -> Any:
        with Progress(
            TextColumn(label),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} events"),
            TimeRemainingColumn(),
            console=console,
        ) as bar:
            task = bar.add_task(label, total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return run(s, lambda h: work(h, progress))

    @proj_app.command("rebuild")
    def projections_rebuild(
        projection_name: str,
        verify: Annotated[bool, typer.Option(help="swap only if equal to live")] = False,
    ) -> None:
        """Replay the log into a shadow table while live keeps serving, then swap."""
        s = service()
        p = projection(s, projection_name)
        started = time.monotonic()
        report = _progress_run(
            s,
            f"rebuilding {projection_name}",
            lambda h, progress: rebuild_projection(h.pool, p, verify=verify, progress=progress),
        )
        console.print(
            f"{projection_name}: {report.events} events replayed in"
            f" {time.monotonic() - started:.1f} s; swapped={report.swapped}"
            + (f", differing rows={report.differing_rows}" if report.verified else "")
        )
        if verify and not report.swapped:
            raise typer.Exit(1)

    @proj_app.command("verify")
    def projections_verify(projection_name: str) -> None:
        """Rebuild into a shadow and compare with live; never swaps."""
        s = service()
        p = projection(s, projection_name)
        report = _progress_run(
            s,
            f"verifying {projection_name}",
            lambda h, progress: verify_projection(h.pool, p, progress=progress),
        )
        for diff in report.tables:
            console.print(f"{diff}")
        console.print(
            f"{projection_name}: {'equal' if report.equal else 'DIFFERENT'} "
            f"({report.events} events)"
        )
        if not report.equal:
            raise typer.Exit(1)

    @sub.command("migrate")
    def migrate() -> None:
        """Apply the service's migrations (the Helm pre-upgrade hook runs this)."""
        s = service()
        settings = s.settings()

        async def apply() -> list[str]:
            conn = await asyncpg.connect(settings.postgres_dsn)
            try:
                done = await apply_migrations(conn, settings.schema_name, s.migrations())
            finally:
                await conn.close()
            return [f"{m.component}/{m.version:04d}_{m.name}" for m in done]

        applied = asyncio.run(apply())
        console.print(f"{name}: applied {len(applied)} migration(s) {', '.join(applied)}")

    @sub.command("state-at")
    def state_at(
        stream: str,
        at: Annotated[datetime, typer.Option(help="fold events recorded up to this time")],
    ) -> None:
        """A stream's state as of a moment (e.g. a budget when a call was blocked)."""
        s = service()
        found = run(s, lambda h: ops.events(h, stream=stream, until=at, limit=100_000))
        _print_json(
            {
                "stream": stream,
                "at": at.isoformat(),
                "events": len(found),
                "state": s.fold(stream, found),
            }
        )

    return sub


for _name in SERVICES:
    app.add_typer(service_app(_name), name=_name)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
