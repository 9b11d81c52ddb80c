"""Whole-system load: LLM-call events/s from ingest to budget's ledger, at rising rates.

One command (`python bench/e2e.py`). The five services run as separate processes (the
runtime's `Stack`); a *separate* load process posts batches of 100 LLM-call events to
ingest on an open-loop schedule, for `--seconds` per rate. For each rate: events/s
accepted, end-to-end lag (accepted at ingest → applied to budget's ledger; from the two
services' own logs, joined by call id) p50/p99, whether the ledger caught up (lag
bounded), and CPU per service (from /proc). Beside it in the same run, the raw broker
baseline: aio-pika confirmed publish + consume of the same message body. The saturation
point is the highest rate whose lag stays bounded with p99 < 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _common import AMQP_URL, PG_DSN, Row, cleanup, percentile, render, write_section

from cognive.ids import time_ordered_id
from cognive_runtime.amqp.content_encoding import IDENTITY, ZSTD, ContentEncoding, encode_body

HERE = Path(__file__).resolve().parent
BATCH = 100
TICKS = os.sysconf("SC_CLK_TCK")


def batch_body(n: int, agents: list[str]) -> bytes:
    now = datetime.now(UTC).isoformat()
    return json.dumps(
        {
            "events": [
                {
                    "kind": "llm_call",
                    # The ids the SDK makes (time-ordered), as an agent's would arrive.
                    "event_id": time_ordered_id(),
                    "run_id": f"run-{n}-{i // 20}",
                    "agent_id": agents[(n + i) % len(agents)],
                    "occurred_at": now,
                    "call_id": time_ordered_id(),
                    "provider": "openai",
                    "model": "gpt-4o-mini",
                    "usage": {
                        "input_tokens": 1200,
                        "output_tokens": 300,
                        "cached_input_tokens": 200,
                    },
                    "latency_ms": 700,
                    "status": "ok",
                }
                for i in range(BATCH)
            ]
        }
    ).encode()


async def load(
    url: str, key: str, rate: float, seconds: float, agents: list[str]
) -> dict[str, Any]:
    """Open loop: batches due at a fixed schedule shared by 8 connections. The process says
    "ready" once its clients exist and starts the schedule on "go" (stdin), so that its own
    start (an interpreter and its imports, half a core-second) is not charged to the step."""
    accepted = errors = 0
    batches_per_s = rate / BATCH
    clients = [
        httpx.AsyncClient(
            base_url=url,
            headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            timeout=30,
        )
        for _ in range(8)
    ]
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    schedule = iter(range(10**9))
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal accepted, errors
        async with http:
            while True:
                n = next(schedule)
                due = started + n / batches_per_s
                if due >= deadline:
                    return
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                response = await http.post("/v1/events", content=batch_body(n, agents))
                if response.status_code == 202:
                    accepted += response.json()["accepted"]
                else:
                    errors += 1

    await asyncio.gather(*(client(http) for http in clients))
    return {
        "accepted": accepted,
        "errors": errors,
        "seconds": time.perf_counter() - started,
        "cpu_s": time.process_time() - cpu_started,
    }


def reference_ms() -> float:
    """A fixed piece of CPU work (20,000 events of the load encoded and decoded, best of 3)
    timed before the steps: a yardstick for comparing runs, since this machine's speed varies
    from day to day by more than the changes measured here."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for n in range(200):
            json.loads(batch_body(n, ["agent"]))
        best = min(best, time.perf_counter() - started)
    return best * 1000


class LoadProcess:
    """The load generator, a process of its own, started and made ready before the step
    (`go` starts its schedule). Its CPU seconds from `go` come back as `cpu_s`: it shares
    the 2 cores with everything it measures, so its cost is reported beside theirs."""

    def __init__(self, url: str, key: str, rate: float, seconds: float, agents: list[str]) -> None:
        argv = [sys.executable, str(HERE / "e2e.py"), "--load", url, key, str(rate)]
        argv += [str(seconds), ",".join(agents)]
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the load process failed to start ({self.process.wait()})")

    def go(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write("go\n")
        self.process.stdin.flush()

    def result(self) -> dict[str, Any]:
        out, _ = self.process.communicate()
        if self.process.returncode != 0:
            raise RuntimeError(f"the load process failed ({self.process.returncode})")
        return dict(json.loads(out.strip().splitlines()[-1]))


def run_load(url: str, key: str, rate: float, seconds: float, agents: list[str]) -> dict[str, Any]:
    load_process = LoadProcess(url, key, rate, seconds, agents)
    load_process.go()
    return load_process.result()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


# The shared servers count too: on 2 cores they compete with the services for CPU.
INFRA = {"postgres": ("postgres",), "rabbitmq": ("beam.smp",), "redis": ("redis-server",)}


def infra_cpu_seconds() -> dict[str, float]:
    totals = dict.fromkeys(INFRA, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1 : text.rindex(")")]
        for name, comms in INFRA.items():
            if comm in comms:
                fields = text.rsplit(")", 1)[1].split()
                totals[name] += (int(fields[11]) + int(fields[12])) / TICKS
    return totals


async def broker_baseline(prefix: str, messages: int, encoding: ContentEncoding) -> float:
    """aio-pika confirmed publish + consume of the same body, encoded as the relay encodes
    its messages (`encoding`), events/s."""
    import aio_pika

    body, content_encoding = encode_body(batch_body(0, ["agent"]), encoding)
    connection = await aio_pika.connect_robust(AMQP_URL)
    channel = await connection.channel(publisher_confirms=True)
    queue = await channel.declare_queue(
        f"{prefix}baseline", durable=True, arguments={"x-queue-type": "quorum"}
    )
    done = asyncio.Event()
    received = 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal received
        await message.ack()
        received += 1
        if received >= messages:
            done.set()

    consumer_channel = await connection.channel()
    await consumer_channel.set_qos(prefetch_count=32)
    consume_queue = await consumer_channel.get_queue(queue.name)
    tag = await consume_queue.consume(on_message)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            channel.default_exchange.publish(
                aio_pika.Message(
                    body,
                    content_encoding=content_encoding,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=queue.name,
            )
            for _ in range(messages)
        )
    )
    await done.wait()
    elapsed = time.perf_counter() - started
    # Cancelled first: a consumer whose queue is deleted under it is logged as an error.
    await consume_queue.cancel(tag)
    await queue.delete(if_unused=False, if_empty=False)
    await connection.close()
    return messages * BATCH / elapsed


async def broker_baselines(
    prefix: str, encoding: ContentEncoding = ZSTD, messages: int = 1000, runs: int = 3
) -> list[float]:
    """The baseline on the idle machine, before the stack starts. Measured after the steps,
    it shared the cores with services that could still be draining the last step's backlog.
    A run of 300 messages took ~0.15 s, too short to be steady: longer runs, and their
    median."""
    return [await broker_baseline(prefix, messages, encoding) for _ in range(runs)]


# The logs this benchmark reads back after each step, and the event type it reads of each.
MEASURED = {
    "ingest": "ingest.llm_call.recorded.v1",
    "cost": "cost.llm_call.priced.v1",
    "budget": "budget.spend.applied",
}


async def heads(stack: Any) -> dict[str, int]:
    """Each measured log's last position: a step reads back only what comes after it. By
    primary key, so that reading a step costs the same on a log of any size (a filter on
    `recorded_at` and `type` was planned as a walk of every event of that type, and the
    benchmark's own reads pushed the services' recent pages out of shared buffers)."""
    import asyncpg

    conn = await asyncpg.connect(PG_DSN)
    try:
        return {
            service: await conn.fetchval(
                f"SELECT coalesce(max(global_position), 0) FROM {stack.schema(service)}.events"
            )
            for service in MEASURED
        }
    finally:
        await conn.close()


def _step_rows(stack: Any, service: str, columns: str) -> str:
    return (
        f"SELECT {columns} FROM {stack.schema(service)}.events"
        " WHERE global_position > $1 AND type = $2"
    )


async def behind(stack: Any, start: dict[str, int]) -> bool:
    """Whether budget's ledger still holds fewer calls than ingest accepted since `start`."""
    import asyncpg

    conn = await asyncpg.connect(PG_DSN)
    try:
        counts = [
            await conn.fetchval(
                _step_rows(stack, service, "count(*)"), start[service], MEASURED[service]
            )
            for service in ("ingest", "budget")
        ]
    finally:
        await conn.close()
    return bool(counts[1] < counts[0])


async def lags(stack: Any, start: dict[str, int], since: datetime) -> tuple[list[float], int]:
    """Per call: budget ledger time minus ingest accept time (both services' own logs)."""
    import asyncpg

    conn = await asyncpg.connect(PG_DSN)
    times: dict[str, dict[str, datetime]] = {}
    try:
        for service, event_type in MEASURED.items():
            rows = await conn.fetch(
                _step_rows(stack, service, "data->>'call_id' AS call_id, recorded_at AS at"),
                start[service],
                event_type,
            )
            times[service] = {r["call_id"]: r["at"] for r in rows}
    finally:
        await conn.close()
    accepted, priced, applied = times["ingest"], times["cost"], times["budget"]
    out = [(applied[c] - at).total_seconds() for c, at in accepted.items() if c in applied]

    # Where the time goes: ingest → cost's priced event, cost → budget's ledger.
    def gaps(first: dict[str, Any], then: dict[str, Any]) -> list[float]:
        return [(then[c] - at).total_seconds() for c, at in first.items() if c in then]

    hops = {"ingest_to_cost": gaps(accepted, priced), "cost_to_budget": gaps(priced, applied)}
    LAST_HOPS.clear()
    LAST_HOPS.update({k: (percentile(v, 0.5), percentile(v, 0.99)) for k, v in hops.items() if v})
    # Lag over time: (seconds since the step began, lag) per call, for the plot.
    LAST_SERIES[:] = sorted(
        ((at - since).total_seconds(), (applied[c] - at).total_seconds())
        for c, at in accepted.items()
        if c in applied
    )
    return out, len(accepted) - len(out)


def p99_per_window(points: list[tuple[float, float]], width: float) -> dict[int, float]:
    """p99 of the lag in each `width` seconds of the step (keyed by window number, in
    order): where in the step the tail is."""
    by_window: dict[int, list[float]] = {}
    for t, lag in points:
        by_window.setdefault(int(t // width), []).append(lag)
    return {w: percentile(by_window[w], 0.99) for w in sorted(by_window)}


def windows(points: list[tuple[float, float]], width: float) -> list[float]:
    return [round(p99, 3) for p99 in p99_per_window(points, width).values()]


LAST_HOPS: dict[str, tuple[float, float]] = {}
LAST_SERIES: list[tuple[float, float]] = []


def plot(series: dict[str, list[tuple[float, float]]], path: Path) -> None:
    """p99 of the lag per second of load, one line per step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for label, points in series.items():
        per_second = p99_per_window(points, 1.0)
        ax.plot(list(per_second), list(per_second.values()), label=label)
    ax.axhline(1.0, color="grey", linestyle="--", linewidth=1, label="p99 target (1 s)")
    ax.set_xlabel("seconds into the step (by ingest accept time)")
    ax.set_ylabel("lag p99, ingest accept → budget ledger (s)")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Cognive end to end: lag over time at each offered rate")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def start_profilers(
    directory: Path | None, pids: dict[str, int], rate: float, seconds: float
) -> list[subprocess.Popen[bytes]]:
    """py-spy (not a dependency: `pip install py-spy` where you profile) samples each service
    for the step; collapsed stacks land in `directory` as <service>-<rate>.txt."""
    if directory is None:
        return []
    directory.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                os.environ.get("PY_SPY", "py-spy"),
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(int(seconds)),
                "--rate",
                "50",
                "--nonblocking",
                "--format",
                "raw",
                "--output",
                str(directory / f"{service}-{rate:.0f}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for service, pid in pids.items()
    ]


async def main(
    rates: list[float],
    seconds: float,
    profile_dir: Path | None = None,
    relay_encoding: ContentEncoding = ZSTD,
) -> None:
    from cognive_runtime.testing.stack import Stack

    tag = secrets.token_hex(3)
    stack = Stack(
        schema_prefix=f"bench_e2e_{tag}",
        amqp_prefix=f"bench{tag}.",
        redis_prefix=f"bench{tag}:",
        log_dir=Path(tempfile.mkdtemp(prefix="bench-e2e-")),
        extra={
            s: {
                "LOG_LEVEL": "WARNING",
                "RATE_LIMIT_PER_KEY_PER_S": "100000",
                "DB_POOL_MAX": "6",
                "RELAY_CONTENT_ENCODING": relay_encoding,
            }
            for s in ("ingest", "cost", "budget", "registry", "notification")
        },
    )
    results = []
    series: dict[str, list[tuple[float, float]]] = {}
    load_before = os.getloadavg()[0]
    reference = reference_ms()
    # The denominator sends what the relays send (zstd by default, ADR 0018); the plain
    # body, as runs before that measured it, is reported beside it for comparison.
    baselines = await broker_baselines(f"bench{tag}.", relay_encoding)
    plain_baselines = await broker_baselines(f"bench{tag}.", IDENTITY)
    baseline = statistics.median(baselines)
    try:
        await stack.start()
        async with httpx.AsyncClient(timeout=20) as http:
            login = await http.post(
                stack.url("registry") + "/v1/auth/dev-login", json={"email": stack.admin_email}
            )
            admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
            await http.post(
                stack.url("registry") + "/v1/teams",
                json={"team_id": "cx", "name": "CX"},
                headers=admin,
            )
            issued = await http.post(
                stack.url("registry") + "/v1/api-keys",
                json={"team_id": "cx", "name": "load", "scopes": ["events:write", "read"]},
                headers=admin,
            )
            key = issued.json()["api_key"]
            # A registered fleet, as the SDK makes it: the calls take the production path
            # (judged against the agent's policy at once, not parked as an unknown agent's).
            agents = []
            for i in range(50):
                registered = await http.post(
                    stack.url("registry") + "/v1/agents",
                    json={"team_id": "cx", "name": f"agent-{i}", "allowed_models": ["gpt-4o*"]},
                    headers=admin,
                )
                registered.raise_for_status()
                agents.append(registered.json()["agent_id"])
            await http.post(
                stack.url("budget") + "/v1/budgets",
                json={
                    "name": "load",
                    "scope_kind": "team",
                    "scope_id": "cx",
                    "period": "month",
                    "limit_micros": 10**15,
                    "mode": "soft",
                },
                headers=admin,
            )
            for _ in range(300):
                ok = await http.get(
                    stack.url("ingest") + "/v1/runs", headers={"Authorization": f"Bearer {key}"}
                )
                if ok.status_code == 200:
                    break
                await asyncio.sleep(0.1)
        run_load(stack.url("ingest"), key, 500, 3, agents)  # warm-up
        await asyncio.sleep(3)
        for step, rate in enumerate(rates, 1):
            load_process = LoadProcess(stack.url("ingest"), key, rate, seconds, agents)
            start = await heads(stack)
            since = datetime.now(UTC)
            pids = {s: p.pid for s, p in stack.processes.items()}
            cpu0 = {s: cpu_seconds(pid) for s, pid in pids.items()}
            infra0 = infra_cpu_seconds()
            profilers = start_profilers(profile_dir, pids, rate, seconds)
            load_process.go()
            result = load_process.result()
            for profiler in profilers:
                profiler.wait()
            wall = result["seconds"]
            cpu = {s: (cpu_seconds(pid) - cpu0[s]) / wall for s, pid in pids.items()}
            infra1 = infra_cpu_seconds()
            cpu |= {s: (infra1[s] - infra0[s]) / wall for s in INFRA}
            cpu["load generator"] = result["cpu_s"] / wall
            # Bounded lag: the ledger catches up within 10 s of the load stopping. The wait
            # counts rows (no JSON read) so that it takes little from the catching up.
            deadline = time.monotonic() + 10
            while await behind(stack, start) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
            values, missing = await lags(stack, start, since)
            results.append(
                {
                    "rate": rate,
                    "events_per_s": result["accepted"] / wall,
                    "errors": result["errors"],
                    "p50": percentile(values, 0.5),
                    "p99": percentile(values, 0.99),
                    "bounded": missing == 0,
                    "cpu": cpu,
                    "hops_p50_p99_s": dict(LAST_HOPS),
                    "p99_per_5s": windows(LAST_SERIES, 5.0),
                    "began": since.isoformat(timespec="seconds"),
                }
            )
            # A rate offered twice (repeated steps) gets a line per step, not one overwritten.
            label = f"{rate:,.0f} events/s offered"
            series[label if rates.count(rate) == 1 else f"{label}, step {step}"] = list(LAST_SERIES)
            print(json.dumps(results[-1]), file=sys.stderr)
            if not results[-1]["bounded"]:
                break  # past saturation: a higher rate would start from this backlog
            await asyncio.sleep(2)
    finally:
        await stack.stop()
        for service in ("registry", "ingest", "cost", "budget", "notification"):
            await cleanup(stack.schema(service), stack.amqp_prefix, stack.redis_prefix)
    good = [r for r in results if r["bounded"] and r["p99"] < 1.0]
    best = max((r["events_per_s"] for r in good), default=0.0)
    rows = [
        Row(
            "sustained with bounded lag and p99 < 1 s",
            "events/s",
            best,
            "aio-pika confirmed publish + consume, same body, zstd",
            baseline,
            ">= 3,000 events/s (aim 10,000)",
        ),
        Row(
            "machine yardstick: 20,000 load events JSON-encoded and decoded, one core, best of 3",
            "ms",
            reference,
            "",
            None,
        ),
    ]
    for r in results:
        total = sum(r["cpu"].values())
        cpu = ", ".join(f"{s} {v:.0%}" for s, v in r["cpu"].items())
        cpu += f"; all {total:.2f} cores, {total / r['events_per_s'] * 1e6:,.0f} µs per event"
        rows.append(
            Row(
                f"at {r['rate']:,.0f}/s offered ({r['events_per_s']:,.0f}/s accepted, "
                f"{'bounded' if r['bounded'] else 'UNBOUNDED'}): lag p50",
                "ms",
                r["p50"] * 1000,
                "",
                None,
            )
        )
        rows.append(Row(f"  lag p99 (CPU: {cpu})", "ms", r["p99"] * 1000, "", None, "< 1,000 ms"))
        for hop, (p50, p99) in r["hops_p50_p99_s"].items():
            label = hop.replace("_to_", " → ")
            rows.append(
                Row(f"    hop {label}: p99 (p50 {p50 * 1000:,.0f} ms)", "ms", p99 * 1000, "", None)
            )
    render("cognive end to end", rows)
    if profile_dir is not None or relay_encoding != ZSTD:
        return  # sampled numbers, or a comparison's other arm, are not the ones to publish
    plot(series, HERE.parent / "docs" / "e2e-lag.png")
    write_section(
        "End to end (bench/e2e.py)",
        f"The five services as processes (one HTTP worker each, loops in-process); a separate "
        f"load process posts batches of {BATCH} LLM-call events of 50 registered agents to "
        f"ingest on an open-loop schedule, {seconds:.0f} s per rate. Lag = budget's ledger "
        "record time minus ingest's accept time, per call, from the two services' own logs; "
        "bounded = the ledger caught up within 10 s after the load stopped. CPU = each "
        "service process's CPU seconds per wall second (1.0 = one core) during the step. "
        "Baseline: aio-pika confirmed publish and consume of the same "
        f"{BATCH}-event body on a quorum queue, zstd-compressed as the relay sends its "
        "messages, on the idle machine before the stack starts, median of 3 runs of 1,000 "
        "messages ("
        + ", ".join(f"{b:,.0f}" for b in baselines)
        + " events/s; the body uncompressed, as runs before ADR 0018 measured it: "
        + ", ".join(f"{b:,.0f}" for b in plain_baselines)
        + f" events/s, ratio {best / statistics.median(plain_baselines):.2g}). "
        f"Load average at start / end: {load_before:.1f} / {os.getloadavg()[0]:.1f}. "
        "CPU includes Postgres, RabbitMQ, Redis and the load generator, which share the "
        "2 cores. "
        "Lag over time: ![lag over time](e2e-lag.png).",
        rows,
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--load":
        _, _, url, key, rate, seconds, agents = sys.argv
        result = asyncio.run(load(url, key, float(rate), float(seconds), agents.split(",")))
        print(json.dumps(result))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="per rate")
    parser.add_argument("--rates", default="1000,2000,2500,3000,3500,4000,5000,6000,7000")
    parser.add_argument(
        "--profile", type=Path, default=None, help="write py-spy stacks of each service here"
    )
    parser.add_argument(
        "--relay-encoding",
        choices=(ZSTD, IDENTITY),
        default=ZSTD,
        help="the services' relay_content_encoding (identity: the A/B arm; not published)",
    )
    args = parser.parse_args()
    if args.profile and not shutil.which(os.environ.get("PY_SPY", "py-spy")):
        parser.error("--profile needs py-spy (pip install py-spy, or PY_SPY=/path/to/py-spy)")
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    asyncio.run(
        main(
            [float(r) for r in args.rates.split(",")],
            args.seconds,
            args.profile,
            args.relay_encoding,
        )
    )
