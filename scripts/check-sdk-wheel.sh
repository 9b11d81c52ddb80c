#!/usr/bin/env bash
# Builds the wheels of `cognive` (the SDK) and `cognive-contracts`, installs the SDK wheel
# into a clean virtual environment, and runs the README's quick start there against a
# local stand-in for Cognive's HTTP API (stdlib only, loopback). Proves the published
# package installs and works on its own, without the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
uv build --quiet --package cognive --wheel --out-dir "$out/dist"
uv build --quiet --package cognive-contracts --wheel --out-dir "$out/dist"
uv venv --quiet --python 3.11 "$out/venv"
uv pip install --quiet --python "$out/venv/bin/python" "$out"/dist/cognive-0*.whl
"$out/venv/bin/python" - <<'PY'
import gzip, json, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received = []

class Api(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        data = json.loads(body)
        if self.path == "/v1/agents":
            answer = {"agent_id": "a-1", "name": data["name"], "team_id": "cx",
                      "environment": data["environment"], "allowed_models": data["allowed_models"]}
            status = 201
        else:
            received.extend(data["events"])
            answer, status = {"accepted": len(data["events"]), "duplicates": 0, "rejected": []}, 202
        raw = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}"

import cognive  # the quick start of libs/sdk/README.md

client = cognive.Client(api_key="ck_dev_example", base_url=url)
agent = client.register_agent(name="support-bot", framework="langchain", team="cx",
                              environment="prod", allowed_models=["gpt-4o*"])
with agent.run(metadata={"ticket": 42}) as run:
    run.log_step("plan", {"intent": "refund"})
    run.log_llm_call(model="gpt-4o", provider="openai", input_tokens=1200, output_tokens=300,
                     cached_input_tokens=1024, reasoning_tokens=0, latency_ms=850)
    run.log_tool_call("search", status="ok", latency_ms=120)
assert client.flush(10)
kinds = [e["kind"] for e in received]
assert kinds == ["run_started", "step", "llm_call", "tool_call", "run_ended"], kinds
import importlib.util
assert importlib.util.find_spec("pydantic") is None, "the SDK must not pull pydantic in"
print(f"sdk wheel OK: {cognive.__version__}, {len(received)} events")
PY
ls "$out/dist"
