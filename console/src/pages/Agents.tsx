import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { data } from "../api/client";
import type { RunSummary } from "../api/types";
import { useConsole } from "../auth/context";
import { Chart } from "../components/Chart";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/States";
import { shortId } from "../lib/ids";
import { formatUsd } from "../lib/money";
import { formatDuration, formatTime } from "../lib/time";
import { rangeWindow } from "../lib/trends";

export function Agents() {
  const { api, teams } = useConsole();
  const navigate = useNavigate();
  const [team, setTeam] = useState("");
  const [environment, setEnvironment] = useState("");
  const [status, setStatus] = useState("active");
  const [text, setText] = useState("");
  const agents = useQuery({
    queryKey: ["agents", team, environment, status],
    queryFn: async () =>
      (
        await data(
          api.registry.GET("/v1/agents", {
            params: {
              query: {
                team_id: team || undefined,
                environment: (environment || undefined) as "dev" | "staging" | "prod" | undefined,
                status: status || undefined,
                limit: 500,
              },
            },
          }),
        )
      ).items,
  });
  const shown = (agents.data ?? []).filter((a) => !text || a.name.toLowerCase().includes(text.toLowerCase()));

  return (
    <div className="page">
      <h1>Agents</h1>
      <div className="toolbar">
        <input aria-label="Search agents" placeholder="Search by name" value={text} onChange={(e) => setText(e.target.value)} />
        <select aria-label="Team" value={team} onChange={(e) => setTeam(e.target.value)}>
          <option value="">All teams</option>
          {teams.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <select aria-label="Environment" value={environment} onChange={(e) => setEnvironment(e.target.value)}>
          <option value="">All environments</option>
          <option>dev</option>
          <option>staging</option>
          <option>prod</option>
        </select>
        <select aria-label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Any status</option>
          <option value="active">active</option>
          <option value="retired">retired</option>
        </select>
      </div>
      <QueryState query={agents} what="agents" isEmpty={() => shown.length === 0} empty="No agent matches.">
        {() => (
          <DataTable
            label="Agents"
            rows={shown}
            rowKey={(a) => a.agent_id}
            onRowClick={(a) => navigate(`/agents/${a.agent_id}`)}
            columns={[
              { header: "Name", cell: (a) => <Link to={`/agents/${a.agent_id}`}>{a.name}</Link> },
              { header: "Team", cell: (a) => a.team_id },
              { header: "Environment", cell: (a) => a.environment },
              { header: "Framework", cell: (a) => a.framework },
              { header: "Allowed models", cell: (a) => a.allowed_models.join(", ") || "any" },
              { header: "Status", cell: (a) => <span className={`pill ${a.status}`}>{a.status}</span> },
            ]}
          />
        )}
      </QueryState>
    </div>
  );
}

export function RunTable({ runs, label }: { runs: RunSummary[]; label: string }) {
  const navigate = useNavigate();
  return (
    <DataTable
      label={label}
      rows={runs}
      rowKey={(r) => r.run_id}
      onRowClick={(r) => navigate(`/runs/${r.run_id}`)}
      columns={[
        { header: "Run", cell: (r) => <Link to={`/runs/${r.run_id}`}>{r.name ?? shortId(r.run_id)}</Link> },
        { header: "Started", cell: (r) => formatTime(r.started_at ?? r.first_event_at) },
        { header: "Status", cell: (r) => <span className={`pill ${r.status}`}>{r.status}</span> },
        { header: "LLM calls", cell: (r) => r.llm_call_count, align: "right" },
        { header: "Tool calls", cell: (r) => r.tool_call_count, align: "right" },
        { header: "Tokens in/out", cell: (r) => `${r.input_tokens.toLocaleString()} / ${r.output_tokens.toLocaleString()}`, align: "right" },
        { header: "Duration", cell: (r) => formatDuration(r.duration_ms), align: "right" },
      ]}
    />
  );
}

export function AgentDetail() {
  const { agentId = "" } = useParams();
  const { api } = useConsole();
  const agent = useQuery({
    queryKey: ["agent", agentId],
    queryFn: async () => data(api.registry.GET("/v1/agents/{agent_id}", { params: { path: { agent_id: agentId } } })),
  });
  const runs = useQuery({
    queryKey: ["runs", "agent", agentId],
    queryFn: async () => (await data(api.ingest.GET("/v1/runs", { params: { query: { agent_id: agentId, limit: 20 } } }))).items,
  });
  const violations = useQuery({
    queryKey: ["violations", agentId],
    queryFn: async () =>
      (await data(api.ingest.GET("/v1/policy-violations", { params: { query: { agent_id: agentId, limit: 20 } } }))).items,
  });
  const window = useMemo(() => rangeWindow("7d"), []);
  const team = agent.data?.team_id;
  const trend = useQuery({
    queryKey: ["trends", "agent", agentId, window.from],
    enabled: team !== undefined,
    queryFn: async () =>
      data(
        api.cost.GET("/v1/costs/trends", {
          params: { query: { group_by: "agent", bucket: "day", from: window.from, to: window.to, team_id: team } },
        }),
      ),
  });
  const points = (trend.data?.points ?? []).filter((p) => p.group === agentId);

  return (
    <div className="page">
      <p className="crumbs">
        <Link to="/agents">Agents</Link> /
      </p>
      <QueryState query={agent} what="agent">
        {(a) => (
          <>
            <h1>{a.name}</h1>
            <dl className="facts">
              <dt>Team</dt>
              <dd>{a.team_id}</dd>
              <dt>Environment</dt>
              <dd>{a.environment}</dd>
              <dt>Framework</dt>
              <dd>{a.framework}</dd>
              <dt>Version</dt>
              <dd>{a.version ?? "—"}</dd>
              <dt>Allowed models</dt>
              <dd data-testid="allowed-models">{a.allowed_models.join(", ") || "any model"}</dd>
              <dt>Approved tools</dt>
              <dd>{a.approved_tools.join(", ") || "any tool"}</dd>
              <dt>Status</dt>
              <dd>{a.status}</dd>
            </dl>
          </>
        )}
      </QueryState>
      <section className="card">
        <h3>Cost, last 7 days</h3>
        <QueryState query={trend} what="cost trend" isEmpty={() => points.length === 0} empty="No priced calls in the last 7 days.">
          {() => (
            <Chart
              label="Daily cost of this agent"
              height={220}
              option={{
                tooltip: { trigger: "axis", valueFormatter: (v) => formatUsd(Math.round(Number(v) * 1_000_000)) },
                grid: { left: 64, right: 16, top: 16, bottom: 32 },
                xAxis: { type: "category", data: points.map((p) => p.bucket.slice(0, 10)) },
                yAxis: { type: "value", axisLabel: { formatter: (v: number) => `$${v}` } },
                series: [{ type: "bar", name: "cost", data: points.map((p) => p.total_micros / 1_000_000) }],
              }}
            />
          )}
        </QueryState>
      </section>
      <section className="card">
        <h3>Policy violations</h3>
        <QueryState query={violations} what="violations" isEmpty={(v) => v.length === 0} empty="No violations.">
          {(rows) => (
            <DataTable
              label="Policy violations"
              rows={rows}
              rowKey={(v) => v.violation_id}
              columns={[
                { header: "When", cell: (v) => formatTime(v.occurred_at) },
                { header: "Kind", cell: (v) => v.kind.replace(/_/g, " ") },
                { header: "What", cell: (v) => v.model ?? v.tool ?? "—" },
                { header: "Detail", cell: (v) => v.detail },
                { header: "Run", cell: (v) => (v.run_id ? <Link to={`/runs/${v.run_id}`}>open</Link> : "—") },
              ]}
            />
          )}
        </QueryState>
      </section>
      <section className="card">
        <h3>Recent runs</h3>
        <QueryState query={runs} what="runs" isEmpty={(r) => r.length === 0} empty="No runs yet.">
          {(rows) => <RunTable runs={rows} label="Recent runs" />}
        </QueryState>
      </section>
    </div>
  );
}
