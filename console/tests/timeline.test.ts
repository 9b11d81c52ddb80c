import type { RunDetail } from "../src/api/types";
import { timeline } from "../src/lib/timeline";

const usage = { input_tokens: 10, output_tokens: 5, cached_input_tokens: 2, cache_write_tokens: 0, reasoning_tokens: 0 };

test("merges steps, LLM calls and tool calls in recorded order with offsets", () => {
  const run = {
    run_id: "r",
    started_at: "2026-11-24T10:00:00Z",
    first_event_at: "2026-11-24T10:00:00Z",
    steps: [{ event_id: "e1", step_id: "s", seq: 1, name: "plan", occurred_at: "2026-11-24T10:00:00.100Z", payload: {} }],
    llm_calls: [
      { event_id: "e3", call_id: "c", seq: 3, model: "gpt-4o", provider: "openai", status: "ok", latency_ms: 900, occurred_at: "2026-11-24T10:00:01Z", usage },
    ],
    tool_calls: [{ event_id: "e2", call_id: "t", seq: 2, name: "search", status: "ok", latency_ms: 40, occurred_at: "2026-11-24T10:00:00.500Z" }],
  } as unknown as RunDetail;
  const entries = timeline(run);
  expect(entries.map((e) => e.kind)).toEqual(["step", "tool", "llm"]);
  expect(entries.map((e) => e.offsetMs)).toEqual([100, 500, 1000]);
});
