"""The five services as separate processes on one machine: what the end-to-end tests and
`make demo` run. Each gets its own schema, HTTP port and log file; all share the broker
(under one name prefix) and Redis (under one key prefix), as in a deployment.

Services are started by module name (`python -m cognive_<service>`), so nothing here
imports a service package."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cognive_runtime.testing.processes import ServiceProcess, free_port

SERVICES = ("registry", "ingest", "cost", "budget", "notification")


@dataclass
class Stack:
    schema_prefix: str
    amqp_prefix: str
    redis_prefix: str
    log_dir: Path
    admin_email: str = "admin@example.com"
    ports: dict[str, int] = field(default_factory=dict)
    # Per-service extra settings (without the COGNIVE_<SERVICE>_ prefix).
    extra: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Extra settings for every service (e.g. CORS_ORIGINS for a console).
    shared: Mapping[str, str] = field(default_factory=dict)
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def schema(self, service: str) -> str:
        return f"{self.schema_prefix}_{service}"

    def env(self, service: str) -> dict[str, str]:
        values = {
            "DB_SCHEMA": self.schema(service),
            "AMQP_PREFIX": self.amqp_prefix,
            "REDIS_PREFIX": self.redis_prefix,
            "HTTP_PORT": str(self.ports[service]),
            "SHUTDOWN_GRACE_S": "5",
            # Five services (plus their leader-lock sessions) on one Postgres: small pools
            # keep the whole stack well inside a default max_connections of 100.
            "DB_POOL_MIN": "1",
            "DB_POOL_MAX": "4",
            "LOG_LEVEL": "INFO",
        }
        if service == "registry":
            values["BOOTSTRAP_ADMIN_EMAIL"] = self.admin_email
        if service == "notification":
            values["WEBHOOK_ALLOW_NETWORKS"] = json.dumps(["127.0.0.1/32"])
        values.update(self.shared)
        values.update(self.extra.get(service, {}))
        return {f"COGNIVE_{service.upper()}_{k}": v for k, v in values.items()}

    def process(self, service: str) -> ServiceProcess:
        self.ports.setdefault(service, free_port(self.ports.values()))
        return ServiceProcess(
            [f"cognive_{service}"],
            env=self.env(service),
            log_path=self.log_dir / f"{service}.log",
            ready_url=f"{self.url(service)}/health/ready",
        )

    async def start(self, services: tuple[str, ...] = SERVICES, timeout: float = 90) -> None:
        for service in services:
            self.ports.setdefault(service, free_port(self.ports.values()))
        # Registry first: it migrates and declares the shared exchanges; the others can
        # then start together.
        first, *rest = services
        self.processes[first] = await self.process(first).start(timeout)
        pending = {s: self.process(s) for s in rest}
        results = await asyncio.gather(
            *(p.start(timeout) for p in pending.values()), return_exceptions=True
        )
        # Every process that was started is tracked, so that stop() ends them all even
        # when one of them failed to come up.
        self.processes.update(pending)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            await self.stop()
            raise failures[0]

    async def admin(self, service: str, *args: str) -> str:
        """Run `cognive-admin <service> <args>` with that service's settings, as on-call
        would in its pod; returns the output and fails on a non-zero exit."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cognive_runtime.admin",
            service,
            *args,
            env={**os.environ, **self.env(service), "COLUMNS": "200"},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        text = out.decode()
        if proc.returncode != 0:
            raise AssertionError(f"cognive-admin {service} {' '.join(args)}: {text[-3000:]}")
        return text

    async def restart(self, service: str, *, kill: bool = False, timeout: float = 90) -> None:
        process = self.processes[service]
        await (process.kill() if kill else process.stop())
        self.processes[service] = await self.process(service).start(timeout)

    async def stop(self) -> None:
        await asyncio.gather(*(p.stop() for p in reversed(list(self.processes.values()))))
