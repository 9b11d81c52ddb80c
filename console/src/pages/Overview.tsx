import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";

import { data } from "../api/client";
import { useAgentNames, useBudgets } from "../api/queries";
import type { SummaryOut } from "../api/types";
import { useConsole } from "../auth/context";
import { BudgetBar } from "../components/BudgetBar";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/States";
import { Stat } from "../components/Stat";
import { formatUsd } from "../lib/money";
import { formatTime, startOfUtcDay, startOfUtcMonth } from "../lib/time";

type Group = "agent" | "team" | "model";

function useSummary(groupBy: Group | "provider", from: Date) {
  const { api } = useConsole();
  return useQuery({
    queryKey: ["summary", groupBy, from.toISOString()],
    queryFn: async (): Promise<SummaryOut> =>
      data(
        api.cost.GET("/v1/costs/summary", {
          params: {
            query: { group_by: groupBy, from: from.toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() },
          },
        }),
      ),
    refetchInterval: 10_000,
  });
}

function TopList({ title, groupBy, names }: { title: string; groupBy: Group; names?: Map<string, string> }) {
  const summary = useSummary(groupBy, startOfUtcMonth());
  return (
    <section className="card">
      <h3>{title}</h3>
      <QueryState query={summary} what="costs" isEmpty={(s) => s.groups.length === 0} empty="No spend this month.">
        {(s) => (
          <DataTable
            label={title}
            rows={s.groups.slice(0, 5)}
            rowKey={(g) => g.group}
            columns={[
              { header: "Name", cell: (g) => names?.get(g.group) ?? g.group },
              { header: "Calls", cell: (g) => g.calls.toLocaleString(), align: "right" },
              { header: "Cost", cell: (g) => formatUsd(g.total_micros), align: "right" },
            ]}
          />
        )}
      </QueryState>
    </section>
  );
}

export function Overview() {
  const { api } = useConsole();
  const names = useAgentNames();
  const today = useSummary("team", startOfUtcDay());
  const month = useSummary("team", startOfUtcMonth());
  const budgets = useBudgets();
  const blocked = useQuery({
    queryKey: ["blocked", "recent"],
    queryFn: async () => (await data(api.budget.GET("/v1/blocked-calls", { params: { query: { limit: 5 } } }))).items,
    refetchInterval: 10_000,
  });
  const alerts = useQuery({
    queryKey: ["deliveries", "recent"],
    queryFn: async () => (await data(api.notification.GET("/v1/deliveries", { params: { query: { limit: 5 } } }))).items,
    refetchInterval: 10_000,
  });
  const unpriced = useQuery({
    queryKey: ["unpriced"],
    queryFn: async () => data(api.cost.GET("/v1/pricing/unpriced")),
    refetchInterval: 30_000,
  });
  const watched = (budgets.data ?? []).filter((b) => !b.archived && (b.status?.percent_used ?? 0) >= 80);
  const monthLimit = (budgets.data ?? [])
    .filter((b) => !b.archived && b.period === "month" && b.scope_kind === "org")
    .reduce((sum, b) => sum + b.limit_micros, 0);

  return (
    <div className="page">
      <h1>Overview</h1>
      {unpriced.data && unpriced.data.length > 0 && (
        <div className="banner warning" role="alert" data-testid="unpriced-warning">
          {unpriced.data.reduce((n, u) => n + u.calls, 0)} calls could not be priced (
          {unpriced.data.map((u) => `${u.provider}/${u.model}`).join(", ")}): they are not in the
          totals until a price exists for them.
        </div>
      )}
      <div className="stats">
        <Stat
          label="Spend today (UTC)"
          testId="spend-today"
          value={today.data ? formatUsd(today.data.total_micros) : "…"}
          hint={today.data && `${today.data.calls.toLocaleString()} priced calls`}
        />
        <Stat
          label="Spend this month"
          testId="spend-month"
          value={month.data ? formatUsd(month.data.total_micros) : "…"}
          hint={monthLimit > 0 ? `of ${formatUsd(monthLimit)} in organisation budgets` : month.data && `${month.data.calls.toLocaleString()} priced calls`}
        />
        <Stat
          label="Budgets at 80% or more"
          testId="budgets-watched"
          value={budgets.data ? watched.length : "…"}
          hint={budgets.data && `of ${budgets.data.filter((b) => !b.archived).length} active`}
        />
      </div>
      {(today.isError || month.isError) && <p className="error-text">Costs are unavailable: {String(today.error ?? month.error)}</p>}

      <section className="card">
        <h3>Budgets near or over a threshold</h3>
        <QueryState query={budgets} what="budgets" isEmpty={() => watched.length === 0} empty="Every budget is below 80%.">
          {() => (
            <ul className="budget-list">
              {watched.map((b) => (
                <li key={b.policy_id}>
                  <div className="budget-head">
                    <Link to="/budgets">{b.name}</Link>
                    <span className="muted">
                      {b.scope_kind} {b.scope_id} · {b.period} · {b.mode}
                    </span>
                  </div>
                  <BudgetBar
                    spent={b.status!.spent_micros}
                    reserved={b.status!.reserved_micros}
                    limit={b.limit_micros}
                    thresholds={b.thresholds}
                  />
                </li>
              ))}
            </ul>
          )}
        </QueryState>
      </section>

      <div className="grid3">
        <TopList title="Top agents this month" groupBy="agent" names={names} />
        <TopList title="Top teams this month" groupBy="team" />
        <TopList title="Top models this month" groupBy="model" />
      </div>

      <div className="grid2">
        <section className="card">
          <h3>Recent blocks (429)</h3>
          <QueryState query={blocked} what="blocks" isEmpty={(rows) => rows.length === 0} empty="No call was blocked.">
            {(rows) => (
              <DataTable
                label="Recent blocks"
                rows={rows}
                rowKey={(r) => r.block_id}
                columns={[
                  { header: "When", cell: (r) => formatTime(r.occurred_at) },
                  { header: "Agent", cell: (r) => names.get(r.agent_id) ?? r.agent_id },
                  { header: "Budget", cell: (r) => r.policy_name },
                ]}
              />
            )}
          </QueryState>
        </section>
        <section className="card">
          <h3>Recent alerts</h3>
          <QueryState query={alerts} what="alerts" isEmpty={(rows) => rows.length === 0} empty="No alert was sent.">
            {(rows) => (
              <DataTable
                label="Recent alerts"
                rows={rows}
                rowKey={(r) => r.delivery_id}
                columns={[
                  { header: "When", cell: (r) => formatTime(r.created_at) },
                  { header: "Event", cell: (r) => r.event_type },
                  { header: "Status", cell: (r) => <span className={`pill ${r.status}`}>{r.status}</span> },
                ]}
              />
            )}
          </QueryState>
        </section>
      </div>
    </div>
  );
}
