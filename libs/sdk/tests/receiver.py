"""A real HTTP server on 127.0.0.1 standing in for ingest's `POST /v1/events` in the SDK's
own tests: it records what arrives and can be told to fail (the transport's retry paths)."""

from __future__ import annotations

import gzip
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.requests = 0
        # Statuses to answer before accepting, e.g. [503, 429]
        self.failures: deque[int] = deque()
        self.retry_after = "0"
        self.headers_seen: list[dict[str, str]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                receiver.requests += 1
                receiver.headers_seen.append(dict(self.headers))
                if receiver.failures:
                    status = receiver.failures.popleft()
                    self.send_response(status)
                    self.send_header("Retry-After", receiver.retry_after)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                events = json.loads(raw)["events"]
                receiver.batches.append(events)
                body = json.dumps(
                    {"accepted": len(events), "duplicates": 0, "rejected": []}
                ).encode()
                self.send_response(202)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [e for batch in self.batches for e in batch]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
