import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";

import { data } from "../api/client";
import { useAgentNames } from "../api/queries";
import { useConsole } from "../auth/context";
import { Chart, type ChartOption } from "../components/Chart";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/States";
import { downloadCsv, toCsv } from "../lib/csv";
import { formatUsd } from "../lib/money";
import { bucketStarts, pivotTrends, rangeWindow, type Pivot, type Range } from "../lib/trends";

const GROUPS = ["agent", "team", "model", "provider"] as const;
type GroupBy = (typeof GROUPS)[number];
const RANGES: Range[] = ["24h", "7d", "30d", "90d"];

function chartOption(pivot: Pivot, bucket: "hour" | "day"): ChartOption {
  const labels = pivot.buckets.map((b) =>
    bucket === "hour" ? b.slice(5, 16).replace("T", " ") : b.slice(0, 10),
  );
  return {
    tooltip: {
      trigger: "axis",
      valueFormatter: (v) => formatUsd(Math.round(Number(v) * 1_000_000)),
    },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 64, right: 16, top: 16, bottom: 48 },
    xAxis: { type: "category", data: labels },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => `$${v}` } },
    // The chart works in dollars for its axis; the table and CSV keep exact micro-USD.
    series: pivot.series.map((s) => ({
      name: s.name,
      type: "bar",
      stack: "cost",
      emphasis: { focus: "series" },
      data: s.data.map((m) => m / 1_000_000),
    })),
  };
}

export function CostTrends() {
  const { api } = useConsole();
  const names = useAgentNames();
  const [params, setParams] = useSearchParams();
  const groupBy = (GROUPS as readonly string[]).includes(params.get("group_by") ?? "")
    ? (params.get("group_by") as GroupBy)
    : "team";
  const range = (RANGES as string[]).includes(params.get("range") ?? "") ? (params.get("range") as Range) : "7d";
  // 24 hours are read by the hour and 90 days by the day; in between, the person chooses.
  const bucket: "hour" | "day" =
    range === "24h" ? "hour" : range === "90d" ? "day" : params.get("bucket") === "hour" ? "hour" : "day";
  const window = useMemo(() => rangeWindow(range), [range]);

  const trends = useQuery({
    queryKey: ["trends", groupBy, bucket, window.from, window.to],
    queryFn: async () =>
      data(
        api.cost.GET("/v1/costs/trends", {
          params: { query: { group_by: groupBy, bucket, from: window.from, to: window.to } },
        }),
      ),
    refetchInterval: 15_000,
  });

  const label = (group: string) => (groupBy === "agent" ? (names.get(group) ?? group) : group);
  const pivot = useMemo(() => {
    const p = pivotTrends(trends.data?.points ?? [], 8, bucketStarts(window.from, window.to, bucket));
    return { ...p, series: p.series.map((s) => ({ ...s, name: label(s.name) })) };
  }, [trends.data, names, window, bucket]);

  function set(key: string, value: string) {
    const next = new URLSearchParams(params);
    next.set(key, value);
    setParams(next, { replace: true });
  }

  function exportCsv() {
    const points = trends.data?.points ?? [];
    const csv = toCsv(
      ["bucket", groupBy, "calls", "cost_micro_usd", "cost_usd"],
      points.map((p) => [p.bucket, label(p.group), p.calls, p.total_micros, formatUsd(p.total_micros, 6).slice(1)]),
    );
    downloadCsv(`cognive-costs-by-${groupBy}-${bucket}.csv`, csv);
  }

  return (
    <div className="page">
      <h1>Cost trends</h1>
      <div className="toolbar">
        <label>
          Group by
          <select aria-label="Group by" value={groupBy} onChange={(e) => set("group_by", e.target.value)}>
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <div className="segmented" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button key={r} type="button" aria-pressed={r === range} onClick={() => set("range", r)}>
              {r}
            </button>
          ))}
        </div>
        <label>
          Bucket
          <select aria-label="Bucket" value={bucket} onChange={(e) => set("bucket", e.target.value)} disabled={range === "24h" || range === "90d"}>
            <option value="hour">hour</option>
            <option value="day">day</option>
          </select>
        </label>
        <button type="button" onClick={exportCsv} disabled={!trends.data?.points.length}>
          Export CSV
        </button>
      </div>
      <QueryState query={trends} what="cost trends" isEmpty={(t) => t.points.length === 0} empty="No priced calls in this range.">
        {() => (
          <>
            <section className="card">
              <div className="chart-head">
                <span>
                  Total <strong data-testid="trend-total">{formatUsd(pivot.total)}</strong> by {groupBy}
                </span>
              </div>
              <Chart option={chartOption(pivot, bucket)} label={`Cost per ${bucket} by ${groupBy}`} />
            </section>
            <section className="card">
              <DataTable
                label={`Cost by ${groupBy}`}
                rows={pivot.series}
                rowKey={(s) => s.name}
                columns={[
                  { header: groupBy[0]!.toUpperCase() + groupBy.slice(1), cell: (s) => s.name },
                  { header: "Cost", cell: (s) => formatUsd(s.total), align: "right" },
                  { header: "Share", cell: (s) => (pivot.total ? `${Math.round((s.total * 1000) / pivot.total) / 10}%` : "—"), align: "right" },
                ]}
              />
            </section>
          </>
        )}
      </QueryState>
    </div>
  );
}
