"""The non-blocking transport: agent threads put events on a bounded buffer; one background
thread sends them to ingest in gzip'd batches, retrying with exponential backoff and jitter.

Logging never blocks and never raises into agent code. When the buffer is full the *newest*
event is dropped (the ones already waiting are older and as valuable, and dropping at the
door keeps the cost of a full buffer constant); drops are counted and warned about at most
once a minute. Each event carries a client-made id, so a retried batch is stored once."""

from __future__ import annotations

import atexit
import gzip
import json
import logging
import os
import random
import threading
import time
import weakref
from collections import deque
from datetime import datetime, timezone
from typing import Any, Callable, Optional

import httpx

from cognive.config import Config
from cognive.ids import time_ordered_id

log = logging.getLogger("cognive")

_WARN_EVERY_S = 60.0
_transports: weakref.WeakSet[Transport] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for transport in list(_transports):
        transport._reset_after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Transport:
    def __init__(self, config: Config, http: Optional[Callable[[], httpx.Client]] = None) -> None:
        self._config = config
        self._http_factory = http or (lambda: httpx.Client(timeout=config.request_timeout_s))
        self._url = config.url("ingest") + "/v1/events"
        self._reset_state()
        self.dropped = 0
        self.sent = 0
        self._last_warning = 0.0
        _transports.add(self)
        atexit.register(self._at_exit)

    def _reset_state(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._queue: deque[dict[str, Any]] = deque()
        self._in_flight = 0
        self._flush_requested = False
        self._closing = False
        self._give_up_at: Optional[float] = None
        self._worker: Optional[threading.Thread] = None

    def _reset_after_fork(self) -> None:
        # The child must not send the parent's events, and the parent's worker thread does
        # not exist here: start over with an empty buffer and a worker of its own.
        self._reset_state()

    # ------------------------------------------------------------------ agent side
    def enqueue(self, event: dict[str, Any]) -> None:
        try:
            with self._lock:
                if self._closing:
                    return
                if len(self._queue) >= self._config.max_queue:
                    self.dropped += 1
                    self._warn_dropped()
                    return
                self._queue.append(event)
                if self._worker is None:
                    self._start_worker()
                if len(self._queue) >= self._config.batch_size:
                    self._changed.notify_all()
        except Exception:  # never into agent code
            log.debug("cognive: could not buffer an event", exc_info=True)

    def _warn_dropped(self) -> None:
        now = time.monotonic()
        if now - self._last_warning >= _WARN_EVERY_S:
            self._last_warning = now
            log.warning(
                "cognive: event buffer full (%d events); %d events dropped so far",
                self._config.max_queue,
                self.dropped,
            )

    def _start_worker(self) -> None:
        self._worker = threading.Thread(target=self._run, name="cognive-transport", daemon=True)
        self._worker.start()

    def flush(self, timeout: float = 5.0) -> bool:
        """Send everything buffered now; True when it was all delivered (or given up on as
        refused) within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._lock:
            self._flush_requested = True
            self._changed.notify_all()
            while self._queue or self._in_flight:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            self._flush_requested = False
        return True

    def close(self, timeout: float = 5.0) -> bool:
        delivered = self.flush(timeout)
        with self._lock:
            self._closing = True
            self._give_up_at = time.monotonic()
            self._changed.notify_all()
            worker = self._worker
        if worker is not None:
            worker.join(max(0.1, timeout))
        return delivered

    def _at_exit(self) -> None:
        if self._worker is not None and not self._closing:
            self.close(self._config.exit_flush_timeout_s)

    # ------------------------------------------------------------------ worker side
    def _next_batch(self) -> Optional[list[dict[str, Any]]]:
        config = self._config
        with self._lock:
            while not self._queue and not self._closing:
                self._changed.wait()
            if not self._queue:
                return None
            # Gather for up to flush_interval_s unless the batch is full or a flush asked.
            deadline = time.monotonic() + config.flush_interval_s
            while (
                len(self._queue) < config.batch_size
                and not (self._flush_requested or self._closing)
                and (remaining := deadline - time.monotonic()) > 0
            ):
                self._changed.wait(remaining)
            size = min(len(self._queue), config.batch_size)
            batch = [_finish(self._queue.popleft()) for _ in range(size)]
            self._in_flight += size
            return batch

    def _run(self) -> None:
        client = self._http_factory()
        try:
            while True:
                batch = self._next_batch()
                if batch is None:
                    return
                try:
                    self._deliver(client, batch)
                finally:
                    with self._lock:
                        self._in_flight -= len(batch)
                        self._changed.notify_all()
        finally:
            client.close()

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", **self._config.extra_headers}
        if self._config.api_key:
            headers["Authorization"] = f"Bearer {self._config.api_key}"
        if self._config.gzip:
            headers["Content-Encoding"] = "gzip"
        return headers

    def _deliver(self, client: httpx.Client, batch: list[dict[str, Any]]) -> None:
        body = json.dumps({"events": batch}, separators=(",", ":"), default=str).encode()
        if self._config.gzip:
            body = gzip.compress(body, compresslevel=5)
        headers = self._headers()
        attempt = 0
        while True:
            retry_after: Optional[float] = None
            try:
                response = client.post(self._url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                log.debug("cognive: ingest unreachable: %s", exc)
            else:
                status = response.status_code
                if status in (200, 201, 202):
                    self._accepted(response, len(batch))
                    return
                if status in (429, 503):
                    retry_after = _retry_after(response)
                elif 400 <= status < 500 and status != 408:
                    # Refused for good (a revoked key, every event invalid): retrying would
                    # not help, and holding the batch would stall every later one.
                    log.error(
                        "cognive: ingest refused %d events: %d %s",
                        len(batch),
                        status,
                        response.text[:300],
                    )
                    return
            if self._should_give_up():
                log.warning("cognive: giving up on %d events at shutdown", len(batch))
                return
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            attempt += 1
            with self._lock:
                self._changed.wait(min(delay, self._time_left()))

    def _accepted(self, response: httpx.Response, count: int) -> None:
        self.sent += count
        try:
            rejected = response.json().get("rejected") or []
        except ValueError:
            return
        for item in rejected[:5]:
            log.warning(
                "cognive: event rejected by ingest: %s (%s)", item.get("reason"), item.get("field")
            )

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self._config.max_backoff_s, 0.25 * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security

    def _should_give_up(self) -> bool:
        return self._give_up_at is not None and time.monotonic() >= self._give_up_at

    def _time_left(self) -> float:
        if self._give_up_at is None:
            return self._config.max_backoff_s
        return max(0.0, self._give_up_at - time.monotonic())


def _finish(event: dict[str, Any]) -> dict[str, Any]:
    """Complete an event queued by a run: its id and time, made here off the agent's thread;
    empty optional fields left out (ingest treats absent and null alike)."""
    stamp = event.pop("_t", None)
    done = {k: v for k, v in event.items() if v is not None}
    done.setdefault("event_id", time_ordered_id())
    kind = done.get("kind")
    if kind in ("llm_call", "tool_call"):
        done.setdefault("call_id", time_ordered_id())
    elif kind == "step":
        done.setdefault("step_id", time_ordered_id())
    if stamp is not None:
        done["occurred_at"] = datetime.fromtimestamp(stamp, timezone.utc).isoformat()
    return done


def _retry_after(response: httpx.Response) -> Optional[float]:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
