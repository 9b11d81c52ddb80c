"""SDK benchmark: caller-thread time of one `run.log_llm_call`, beside baselines measured in
the same run — a bare `queue.Queue.put` of the same dict, the equivalent call of the
Langfuse SDK (a generation with model and usage, started and ended), and an OpenTelemetry
span with a BatchSpanProcessor.

Every client sends to a local HTTP sink on 127.0.0.1 that accepts everything, so each
worker thread is really busy shipping while the agent thread is timed (that contention is
part of what an agent pays). Median and p99 over N calls each."""

from __future__ import annotations

import argparse
import queue
import statistics
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any

from _common import Row, render, write_section


class _Sink(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(202)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


def timed(n: int, call: Callable[[int], None]) -> tuple[float, float]:
    samples = []
    clock = time.perf_counter_ns
    for i in range(n):
        started = clock()
        call(i)
        samples.append(clock() - started)
    samples.sort()
    return float(statistics.median(samples)), float(samples[int(len(samples) * 0.99)])


def bench_cognive(url: str, n: int) -> tuple[float, float]:
    import cognive
    from cognive.client import Agent

    client = cognive.Client(api_key="k", ingest_url=url, max_queue=n + 10, batch_size=500)
    run = Agent(client, "agent", "bot").run()

    def call(i: int) -> None:
        run.log_llm_call(
            model="gpt-4o",
            provider="openai",
            input_tokens=1200,
            output_tokens=300,
            cached_input_tokens=1024,
            reasoning_tokens=0,
            latency_ms=850,
        )

    result = timed(n, call)
    client.close(30)
    return result


def bench_queue(n: int) -> tuple[float, float]:
    q: queue.Queue[dict[str, Any]] = queue.Queue()

    def call(i: int) -> None:
        # The same dict the SDK queues (ids and ISO times are made by its worker).
        q.put(
            {
                "call_id": None,
                "provider": "openai",
                "model": "gpt-4o",
                "usage": {
                    "input_tokens": 1200,
                    "output_tokens": 300,
                    "cached_input_tokens": 1024,
                    "cache_write_tokens": 0,
                    "reasoning_tokens": 0,
                },
                "latency_ms": 850,
                "status": "ok",
                "error": None,
                "provider_request_id": None,
                "reservation_id": None,
                "kind": "llm_call",
                "run_id": "r",
                "agent_id": "a",
                "_t": time.time(),
            }
        )

    return timed(n, call)


def bench_langfuse(url: str, n: int) -> tuple[float, float] | None:
    try:
        from langfuse import Langfuse
    except ImportError:
        return None
    lf = Langfuse(public_key="pk-bench", secret_key="sk-bench", host=url, flush_at=500)

    def call(i: int) -> None:
        generation = lf.start_observation(
            name="llm",
            as_type="generation",
            model="gpt-4o",
            usage_details={"input": 1200, "output": 300, "cache_read_input_tokens": 1024},
        )
        generation.end()

    result = timed(n, call)
    lf.shutdown()
    return result


def bench_otel(url: str, n: int) -> tuple[float, float]:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url + "/v1/traces")))
    tracer = provider.get_tracer("bench")

    def call(i: int) -> None:
        with tracer.start_as_current_span("chat gpt-4o") as span:
            span.set_attribute("gen_ai.request.model", "gpt-4o")
            span.set_attribute("gen_ai.usage.input_tokens", 1200)
            span.set_attribute("gen_ai.usage.output_tokens", 300)

    result = timed(n, call)
    provider.shutdown()
    return result


def main(n: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    ours = bench_cognive(url, n)
    q = bench_queue(n)
    lf = bench_langfuse(url, n)
    otel = bench_otel(url, n)
    server.shutdown()
    rows = [
        Row(
            "log_llm_call median vs Queue.put",
            "ns",
            ours[0],
            "queue.Queue.put of the dict",
            q[0],
            "< 10,000 ns",
        ),
        Row("log_llm_call p99 vs Queue.put", "ns", ours[1], "queue.Queue.put of the dict", q[1]),
        Row(
            "log_llm_call median vs OTel span",
            "ns",
            ours[0],
            "OTel span + BatchSpanProcessor",
            otel[0],
        ),
        Row(
            "log_llm_call p99 vs OTel span",
            "ns",
            ours[1],
            "OTel span + BatchSpanProcessor",
            otel[1],
        ),
    ]
    if lf is not None:
        rows += [
            Row(
                "log_llm_call median vs Langfuse",
                "ns",
                ours[0],
                "Langfuse generation start+end",
                lf[0],
                "≤ 0.1",
            ),
            Row(
                "log_llm_call p99 vs Langfuse",
                "ns",
                ours[1],
                "Langfuse generation start+end",
                lf[1],
            ),
        ]
    render("cognive SDK: caller-thread cost", rows)
    write_section(
        "SDK (bench/sdk.py)",
        f"Caller-thread time per call over {n:,} calls each, every worker shipping to a local "
        "HTTP sink meanwhile. Lower is better; `ratio` = ours / baseline.",
        rows,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    main(parser.parse_args().calls)
