"""Reaching a webhook without SSRF: resolve once, refuse any address the guard refuses,
then connect to that very address (the URL's host goes in `Host` and in TLS SNI and
certificate checks), so DNS cannot answer differently between the check and the
connection. Redirects are never followed; time is bounded.

The resolver and the transport are injectable: tests pass a fake resolver and a
transport that fails the test on any non-loopback connection."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx

from cognive_notification.domain.ssrf import Network, UrlRefused, allowed, check_url

Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class Pinned:
    url: str
    host: str
    address: str
    scheme: str


async def pin(url: str, resolver: Resolver, allow_list: Sequence[Network]) -> Pinned:
    """The URL rewritten to one vetted address. Every resolved address must pass: a name
    that also resolves to an internal address is refused, not tried elsewhere."""
    host, port, scheme = check_url(url)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [str(literal)]
    except ValueError:
        try:
            addresses = await resolver(host, port)
        except OSError as exc:
            raise UrlRefused(f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise UrlRefused(f"{host} has no address")
    for address in addresses:
        reason = allowed(ipaddress.ip_address(address), allow_list)
        if reason is not None:
            raise UrlRefused(f"{host} resolves to a refused address ({reason})")
    address = addresses[0]
    netloc = f"[{address}]" if ":" in address else address
    parts = httpx.URL(url)
    return Pinned(str(parts.copy_with(host=netloc.strip("[]"), port=port)), host, address, scheme)


@dataclass(frozen=True, slots=True)
class HttpResult:
    status_code: int | None
    latency_ms: int
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def post(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    resolver: Resolver,
    allow_list: Sequence[Network],
) -> HttpResult:
    started = time.perf_counter()
    try:
        target = await pin(url, resolver, allow_list)
    except UrlRefused as exc:
        return HttpResult(None, 0, f"refused: {exc.reason}")
    request_headers = {**headers, "Host": httpx.URL(url).netloc.decode()}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        response = await client.post(
            target.url, content=body, headers=request_headers, extensions=extensions
        )
    except httpx.HTTPError as exc:
        return HttpResult(None, _ms(started), f"{type(exc).__name__}: {exc}"[:500])
    latency = _ms(started)
    if response.is_redirect:
        return HttpResult(response.status_code, latency, "redirect not followed")
    if not response.is_success:
        return HttpResult(response.status_code, latency, f"HTTP {response.status_code}")
    return HttpResult(response.status_code, latency, None)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def make_client(
    timeout_s: float, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
        follow_redirects=False,
        trust_env=False,
        transport=transport,
        headers={"User-Agent": "Cognive-Webhooks/1.0", "Content-Type": "application/json"},
    )
