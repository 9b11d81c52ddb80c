"""Shared pieces of the benchmarks: timing, the results table, docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"

PG_DSN = os.environ.get("COGNIVE_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
AMQP_URL = os.environ.get("COGNIVE_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
REDIS_URL = os.environ.get("COGNIVE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Row:
    name: str
    unit: str
    ours: float
    baseline_name: str
    baseline: float | None
    target: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.ours / self.baseline


async def rate(count: int, work: Callable[[], Awaitable[None]]) -> float:
    started = time.perf_counter()
    await work()
    return count / (time.perf_counter() - started)


def machine() -> str:
    cpu = "unknown cpu"
    try:
        text = Path("/proc/cpuinfo").read_text()
        match = re.search(r"model name\s*:\s*(.+)", text)
        cpu = match[1].strip() if match else cpu
    except OSError:
        pass
    mem = ""
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])  # type: ignore[index]
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, TypeError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, Python {platform.python_version()}"


def versions() -> str:
    parts = []
    for cmd, label in (
        (["psql", "--version"], "Postgres"),
        (["redis-server", "--version"], "Redis"),
    ):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=5, check=False).stdout
            found = re.search(r"(\d+\.\d+(\.\d+)?)", out)
            if found:
                parts.append(f"{label} {found[1]}")
        except OSError:
            pass
    return ", ".join(parts)


def render(title: str, rows: list[Row]) -> None:
    table = Table(title=title)
    for col in ("benchmark", "ours", "baseline", "baseline rate", "ratio", "target"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.name,
            f"{r.ours:,.0f} {r.unit}",
            r.baseline_name,
            "" if r.baseline is None else f"{r.baseline:,.0f} {r.unit}",
            "" if r.ratio is None else f"{r.ratio:.2f}",
            r.target,
        )
    Console().print(table)


def _ratio(ratio: float | None) -> str:
    """Two decimals, or two significant digits below 0.1: the end-to-end ratio is ~0.01,
    and "0.01" hid a difference of a third between two runs."""
    if ratio is None:
        return ""
    return f"{ratio:.2f}" if ratio >= 0.1 else f"{ratio:.2g}"


def write_section(section: str, intro: str, rows: list[Row]) -> None:
    """Replace (or add) this benchmark's section in docs/benchmarks.md."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {section}",
        "",
        f"Measured {now} on {machine()}; {versions()}.",
        "",
        intro,
        "",
        "| benchmark | ours | baseline (same run) | baseline rate | ratio | target |",
        "|---|---:|---|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.ours:,.0f} {r.unit} | {r.baseline_name} | "
            f"{'' if r.baseline is None else f'{r.baseline:,.0f} {r.unit}'} | "
            f"{_ratio(r.ratio)} | {r.target} |"
        )
    block = "\n".join(lines) + "\n"
    text = (
        DOCS.read_text()
        if DOCS.exists()
        else (
            "# Benchmarks\n\nEach section is rewritten by its benchmark (`make bench` or "
            "`python bench/<name>.py`). Ratios compare against a baseline measured in the same "
            "run, "
            "because this machine is noisy.\n\n"
        )
    )
    pattern = re.compile(rf"^## {re.escape(section)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = (
        pattern.sub(block + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + block
    )
    DOCS.write_text(text)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def cleanup(schema: str, amqp_prefix: str, redis_prefix: str | None = None) -> None:
    """Drop what a benchmark created: its schema, its prefixed queues and exchanges, and
    its Redis keys."""
    import asyncpg
    import redis.asyncio as aioredis

    from cognive_runtime.amqp import connect_amqp
    from cognive_runtime.db import quote_ident
    from cognive_runtime.testing.amqp_fixtures import delete_prefixed

    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {quote_ident(schema)} CASCADE")
    finally:
        await conn.close()
    amqp = await connect_amqp(AMQP_URL)
    try:
        await delete_prefixed(amqp, amqp_prefix)
    finally:
        await amqp.close()
    if redis_prefix:
        redis = aioredis.Redis.from_url(REDIS_URL)
        async for key in redis.scan_iter(match=f"{redis_prefix}*", count=1000):
            await redis.delete(key)
        await redis.aclose()
