import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { ApiError, data } from "../api/client";
import { useAgentNames, useBudgets } from "../api/queries";
import type { BudgetCreate, BudgetOut } from "../api/types";
import { useConsole, useMe } from "../auth/context";
import { can, canAnywhere, isOrgAdmin, teamsWith } from "../auth/roles";
import { BudgetBar } from "../components/BudgetBar";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/States";
import { formatUsd, parseUsd } from "../lib/money";
import { formatTime } from "../lib/time";

function parseThresholds(text: string): number[] | null {
  const parts = text.split(",").map((p) => p.trim()).filter(Boolean);
  const values = parts.map(Number);
  return values.every((v) => Number.isInteger(v) && v > 0 && v <= 100) ? values : null;
}

function BudgetForm({
  initial,
  onDone,
}: {
  initial?: BudgetOut;
  onDone: () => void;
}) {
  const { api, teams } = useConsole();
  const me = useMe();
  const client = useQueryClient();
  const manageable = teamsWith(me, "team_lead", teams);
  const [name, setName] = useState(initial?.name ?? "");
  const [scopeKind, setScopeKind] = useState<BudgetCreate["scope_kind"]>(initial?.scope_kind ?? "team");
  const [scopeId, setScopeId] = useState(initial?.scope_id ?? manageable[0] ?? "");
  const [teamId, setTeamId] = useState(initial?.team_id ?? manageable[0] ?? "");
  const [period, setPeriod] = useState<BudgetCreate["period"]>(initial?.period ?? "month");
  const [limit, setLimit] = useState(initial ? formatUsd(initial.limit_micros).slice(1) : "");
  const [mode, setMode] = useState<BudgetCreate["mode"]>(initial?.mode ?? "hard");
  const [thresholds, setThresholds] = useState((initial?.thresholds ?? [80, 90, 100]).join(", "));
  const [timezone, setTimezone] = useState(initial?.timezone ?? "UTC");
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});

  const save = useMutation({
    mutationFn: async () => {
      const limitMicros = parseUsd(limit);
      const marks = parseThresholds(thresholds);
      const errors: Record<string, string> = {};
      if (limitMicros === null || limitMicros <= 0) errors.limit_micros = "an amount in dollars, e.g. 250 or 12.50";
      if (marks === null) errors.thresholds = "whole percentages between 1 and 100, comma-separated";
      setLocalErrors(errors);
      if (Object.keys(errors).length) throw new Error("Please correct the highlighted fields.");
      if (initial) {
        return data(
          api.budget.PATCH("/v1/budgets/{policy_id}", {
            params: { path: { policy_id: initial.policy_id } },
            body: { name, limit_micros: limitMicros!, mode, thresholds: marks!, timezone },
          }),
        );
      }
      const body: BudgetCreate = {
        name,
        scope_kind: scopeKind,
        scope_id: scopeKind === "team" ? scopeId || teamId : scopeId,
        team_id: scopeKind === "org" ? null : scopeKind === "team" ? scopeId || teamId : teamId,
        period,
        limit_micros: limitMicros!,
        mode,
        thresholds: marks!,
        timezone,
      };
      return data(api.budget.POST("/v1/budgets", { body }));
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["budgets"] });
      onDone();
    },
  });
  const serverErrors = save.error instanceof ApiError ? save.error.fieldErrors : {};
  const fieldError = (field: string) => localErrors[field] ?? serverErrors[field] ?? serverErrors[`body.${field}`];

  function submit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <form className="card form" onSubmit={submit} aria-label={initial ? "Edit budget" : "New budget"}>
      <h3>{initial ? `Edit ${initial.name}` : "New budget"}</h3>
      <label>
        Name
        <input aria-label="Name" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      {!initial && (
        <>
          <label>
            Scope
            <select aria-label="Scope" value={scopeKind} onChange={(e) => setScopeKind(e.target.value as BudgetCreate["scope_kind"])}>
              {isOrgAdmin(me) && <option value="org">organisation</option>}
              <option value="team">team</option>
              <option value="agent">agent</option>
              <option value="run">run</option>
            </select>
          </label>
          {scopeKind === "team" ? (
            <label>
              Team
              <select aria-label="Team" value={scopeId} onChange={(e) => setScopeId(e.target.value)}>
                {manageable.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
          ) : (
            <>
              <label>
                {scopeKind === "org" ? "Organisation id" : scopeKind === "agent" ? "Agent id" : "Run id (or * for every run)"}
                <input required value={scopeId} onChange={(e) => setScopeId(e.target.value)} />
                {fieldError("scope_id") && <span className="field-error">{fieldError("scope_id")}</span>}
              </label>
              {scopeKind !== "org" && (
                <label>
                  Owning team
                  <select aria-label="Owning team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
                    {manageable.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </label>
              )}
            </>
          )}
          <label>
            Period
            <select aria-label="Period" value={period} onChange={(e) => setPeriod(e.target.value as BudgetCreate["period"])}>
              <option value="run">per run</option>
              <option value="day">day</option>
              <option value="week">week</option>
              <option value="month">month</option>
            </select>
          </label>
        </>
      )}
      <label>
        Limit (USD)
        <input aria-label="Limit (USD)" required inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} aria-invalid={!!fieldError("limit_micros")} />
        {fieldError("limit_micros") && <span className="field-error">{fieldError("limit_micros")}</span>}
      </label>
      <label>
        Mode
        <select aria-label="Mode" value={mode} onChange={(e) => setMode(e.target.value as BudgetCreate["mode"])}>
          <option value="hard">hard (blocks calls)</option>
          <option value="soft">soft (alerts only)</option>
        </select>
      </label>
      <label>
        Thresholds (%)
        <input aria-label="Thresholds (%)" value={thresholds} onChange={(e) => setThresholds(e.target.value)} aria-invalid={!!fieldError("thresholds")} />
        {fieldError("thresholds") && <span className="field-error">{fieldError("thresholds")}</span>}
      </label>
      <label>
        Time zone
        <input aria-label="Time zone" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
        {fieldError("timezone") && <span className="field-error">{fieldError("timezone")}</span>}
      </label>
      {save.isError && (
        <p role="alert" className="error-text">
          {save.error.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {initial ? "Save" : "Create budget"}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function Budgets() {
  const { api, teams } = useConsole();
  const me = useMe();
  const names = useAgentNames();
  const client = useQueryClient();
  const budgets = useBudgets();
  const [editing, setEditing] = useState<BudgetOut | "new" | null>(null);
  const blocked = useQuery({
    queryKey: ["blocked"],
    queryFn: async () => (await data(api.budget.GET("/v1/blocked-calls", { params: { query: { limit: 50 } } }))).items,
    refetchInterval: 10_000,
  });
  const archive = useMutation({
    mutationFn: async (policyId: string) =>
      data(api.budget.POST("/v1/budgets/{policy_id}/archive", { params: { path: { policy_id: policyId } }, body: {} })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["budgets"] }),
  });
  const mayCreate = canAnywhere(me, "budgets:manage", teams);
  const active = (budgets.data ?? []).filter((b) => !b.archived);

  return (
    <div className="page">
      <h1>Budgets</h1>
      {mayCreate && editing === null && (
        <button type="button" className="primary" onClick={() => setEditing("new")}>
          New budget
        </button>
      )}
      {editing !== null && <BudgetForm initial={editing === "new" ? undefined : editing} onDone={() => setEditing(null)} />}
      {archive.isError && <p className="error-text">{archive.error.message}</p>}
      <QueryState query={budgets} what="budgets" isEmpty={() => active.length === 0} empty="No budgets yet.">
        {() => (
          <ul className="budget-list" aria-label="Budgets">
            {active.map((b) => {
              const s = b.status;
              const manage = can(me, "budgets:manage", b.scope_kind === "org" ? null : b.team_id ?? null);
              return (
                <li key={b.policy_id} className="card" data-testid="budget">
                  <div className="budget-head">
                    <strong>{b.name}</strong>
                    <span className="muted">
                      {b.scope_kind} {b.scope_kind === "agent" ? (names.get(b.scope_id) ?? b.scope_id) : b.scope_id} · {b.period} ({b.timezone}) ·{" "}
                      <span className={`pill ${b.mode}`}>{b.mode}</span>
                    </span>
                    {manage && (
                      <span className="actions">
                        <button type="button" onClick={() => setEditing(b)}>
                          Edit
                        </button>
                        <button
                          type="button"
                          onClick={() => window.confirm(`Archive ${b.name}?`) && archive.mutate(b.policy_id)}
                        >
                          Archive
                        </button>
                      </span>
                    )}
                  </div>
                  {s ? (
                    <>
                      <BudgetBar spent={s.spent_micros} reserved={s.reserved_micros} limit={b.limit_micros} thresholds={b.thresholds} />
                      <div className="muted">
                        Period {formatTime(s.period_start)} – {formatTime(s.period_end)}
                        {s.thresholds_crossed.length > 0 && <> · crossed {s.thresholds_crossed.join("%, ")}%</>}
                        {s.exceeded && <strong className="error-text"> · exceeded</strong>}
                      </div>
                    </>
                  ) : (
                    <div className="muted">{b.period === "run" ? "Counted per run." : "No spend in this period."}</div>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </QueryState>
      <section className="card">
        <h3>Blocked calls</h3>
        <QueryState query={blocked} what="blocked calls" isEmpty={(r) => r.length === 0} empty="No call was blocked.">
          {(rows) => (
            <DataTable
              label="Blocked calls"
              rows={rows}
              rowKey={(r) => r.block_id}
              columns={[
                { header: "When", cell: (r) => formatTime(r.occurred_at) },
                { header: "Agent", cell: (r) => names.get(r.agent_id) ?? r.agent_id },
                { header: "Model", cell: (r) => r.model },
                { header: "Budget", cell: (r) => r.policy_name },
                { header: "Estimate", cell: (r) => formatUsd(r.estimated_micros), align: "right" },
                { header: "Spent", cell: (r) => formatUsd(r.spent_micros), align: "right" },
                // In-flight reservations count against the limit too: they are why a call
                // can be refused while the spent amount alone looks low.
                { header: "Reserved", cell: (r) => formatUsd(r.reserved_micros), align: "right" },
                { header: "Limit", cell: (r) => formatUsd(r.limit_micros), align: "right" },
                { header: "Retry after", cell: (r) => `${r.retry_after_s} s`, align: "right" },
              ]}
            />
          )}
        </QueryState>
      </section>
    </div>
  );
}
