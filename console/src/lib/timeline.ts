// A run's steps, LLM calls and tool calls as one timeline in the order ingest recorded
// them (`seq`), with each entry's offset from the run's start.
import type { RunDetail } from "../api/types";

export type TimelineEntry =
  | { kind: "step"; seq: number; at: string; offsetMs: number; name: string; payload: Record<string, unknown> }
  | {
      kind: "llm";
      seq: number;
      at: string;
      offsetMs: number;
      callId: string;
      model: string;
      provider: string;
      status: string;
      latencyMs: number;
      inputTokens: number;
      cachedTokens: number;
      outputTokens: number;
      reasoningTokens: number;
      error: string | null;
    }
  | { kind: "tool"; seq: number; at: string; offsetMs: number; name: string; status: string; latencyMs: number; error: string | null };

export function timeline(run: RunDetail): TimelineEntry[] {
  const start = Date.parse(run.started_at ?? run.first_event_at);
  const offset = (at: string) => Math.max(Date.parse(at) - start, 0);
  const entries: TimelineEntry[] = [
    ...run.steps.map((s) => ({
      kind: "step" as const,
      seq: s.seq,
      at: s.occurred_at,
      offsetMs: offset(s.occurred_at),
      name: s.name,
      payload: s.payload as Record<string, unknown>,
    })),
    ...run.llm_calls.map((c) => ({
      kind: "llm" as const,
      seq: c.seq,
      at: c.occurred_at,
      offsetMs: offset(c.occurred_at),
      callId: c.call_id,
      model: c.model,
      provider: c.provider,
      status: c.status,
      latencyMs: c.latency_ms,
      inputTokens: c.usage.input_tokens,
      cachedTokens: c.usage.cached_input_tokens,
      outputTokens: c.usage.output_tokens,
      reasoningTokens: c.usage.reasoning_tokens,
      error: c.error ?? null,
    })),
    ...run.tool_calls.map((t) => ({
      kind: "tool" as const,
      seq: t.seq,
      at: t.occurred_at,
      offsetMs: offset(t.occurred_at),
      name: t.name,
      status: t.status,
      latencyMs: t.latency_ms,
      error: t.error ?? null,
    })),
  ];
  return entries.sort((a, b) => a.seq - b.seq);
}
