import { useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";

import { ApiError, data } from "../api/client";
import { useAgentNames } from "../api/queries";
import { useConsole } from "../auth/context";
import { QueryState } from "../components/States";
import { shortId } from "../lib/ids";
import { formatUsd } from "../lib/money";
import { formatDuration, formatTime } from "../lib/time";
import { timeline } from "../lib/timeline";
import { RunTable } from "./Agents";

type Status = "running" | "success" | "failure" | "cancelled";

export function Runs() {
  const { api, teams } = useConsole();
  const names = useAgentNames();
  const [agent, setAgent] = useState("");
  const [team, setTeam] = useState("");
  const [status, setStatus] = useState("");
  const runs = useInfiniteQuery({
    queryKey: ["runs", agent, team, status],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      data(
        api.ingest.GET("/v1/runs", {
          params: {
            query: {
              agent_id: agent || undefined,
              team_id: team || undefined,
              status: (status || undefined) as Status | undefined,
              limit: 50,
              cursor: pageParam,
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });
  const rows = runs.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="page">
      <h1>Runs</h1>
      <div className="toolbar">
        <select aria-label="Agent" value={agent} onChange={(e) => setAgent(e.target.value)}>
          <option value="">All agents</option>
          {[...names.entries()].map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
        </select>
        <select aria-label="Team" value={team} onChange={(e) => setTeam(e.target.value)}>
          <option value="">All teams</option>
          {teams.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Any status</option>
          {["running", "success", "failure", "cancelled"].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <QueryState query={runs} what="runs" isEmpty={() => rows.length === 0} empty="No runs match.">
        {() => (
          <>
            <RunTable runs={rows} label="Runs" />
            {runs.hasNextPage && (
              <button type="button" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
                {runs.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            )}
          </>
        )}
      </QueryState>
    </div>
  );
}

export function RunDetailPage() {
  const { runId = "" } = useParams();
  const { api } = useConsole();
  const names = useAgentNames();
  const run = useQuery({
    queryKey: ["run", runId],
    queryFn: async () => data(api.ingest.GET("/v1/runs/{run_id}", { params: { path: { run_id: runId } } })),
    refetchInterval: (q) => (q.state.data?.status === "running" ? 5_000 : false),
  });
  const callIds = run.data?.llm_calls.map((c) => c.call_id) ?? [];
  const costs = useQueries({
    queries: callIds.map((callId) => ({
      queryKey: ["call-cost", callId],
      queryFn: async () => {
        try {
          return await data(api.cost.GET("/v1/costs/calls/{call_id}", { params: { path: { call_id: callId } } }));
        } catch (e) {
          // Not priced yet (cost is a little behind ingest): shown as pending.
          if (e instanceof ApiError && e.status === 404) return null;
          throw e;
        }
      },
    })),
  });
  const costOf = new Map(callIds.map((id, i) => [id, costs[i]?.data]));
  const runTotal = [...costOf.values()].reduce((sum, c) => sum + (c?.total_micros ?? 0), 0);

  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/runs">Runs</Link> /
      </p>
      <QueryState query={run} what="run">
        {(r) => (
          <>
            <h1>{r.name ?? `Run ${shortId(r.run_id)}`}</h1>
            <dl className="facts">
              <dt>Agent</dt>
              <dd>
                <Link to={`/agents/${r.agent_id}`}>{names.get(r.agent_id) ?? r.agent_id}</Link>
              </dd>
              <dt>Status</dt>
              <dd>
                <span className={`pill ${r.status}`}>{r.status}</span> {r.error}
              </dd>
              <dt>Started</dt>
              <dd>{formatTime(r.started_at ?? r.first_event_at)}</dd>
              <dt>Duration</dt>
              <dd>{formatDuration(r.duration_ms)}</dd>
              <dt>Tokens in / out</dt>
              <dd>
                {r.input_tokens.toLocaleString()} / {r.output_tokens.toLocaleString()}
              </dd>
              <dt>Cost</dt>
              <dd data-testid="run-cost">{formatUsd(runTotal)}</dd>
            </dl>
            <h2>Timeline</h2>
            <ol className="timeline" aria-label="Run timeline">
              {timeline(r).map((e) => (
                <li key={`${e.kind}-${e.seq}`} className={`entry ${e.kind}`} data-kind={e.kind}>
                  <span className="offset">+{formatDuration(e.offsetMs)}</span>
                  {e.kind === "step" && (
                    <div>
                      <strong>Step</strong> {e.name}
                      {Object.keys(e.payload).length > 0 && <code className="payload">{JSON.stringify(e.payload)}</code>}
                    </div>
                  )}
                  {e.kind === "llm" && (
                    <div>
                      <strong>LLM call</strong> {e.provider}/{e.model} · <span className={`pill ${e.status}`}>{e.status}</span>
                      <div className="muted">
                        {e.inputTokens.toLocaleString()} in ({e.cachedTokens.toLocaleString()} cached) ·{" "}
                        {e.outputTokens.toLocaleString()} out
                        {e.reasoningTokens > 0 && <> ({e.reasoningTokens.toLocaleString()} reasoning)</>} · {formatDuration(e.latencyMs)} ·{" "}
                        <span data-testid="call-cost">
                          {(() => {
                            const c = costOf.get(e.callId);
                            if (c === undefined) return "pricing…";
                            if (c === null || c.status === "unpriced") return "unpriced";
                            return formatUsd(c.total_micros ?? 0);
                          })()}
                        </span>
                      </div>
                      {e.error && <div className="error-text">{e.error}</div>}
                    </div>
                  )}
                  {e.kind === "tool" && (
                    <div>
                      <strong>Tool</strong> {e.name} · <span className={`pill ${e.status}`}>{e.status}</span> · {formatDuration(e.latencyMs)}
                      {e.error && <div className="error-text">{e.error}</div>}
                    </div>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </QueryState>
    </div>
  );
}
