// Cost trend points (bucket, group, micros) pivoted into stacked series for the chart and
// rows for the table. The largest groups keep their own series; the rest become "other".

export interface TrendPoint {
  bucket: string;
  group: string;
  calls: number;
  total_micros: number;
}

export interface Series {
  name: string;
  data: number[]; // micro-USD per bucket, aligned with `buckets`
  total: number;
}

export interface Pivot {
  buckets: string[];
  series: Series[];
  total: number;
}

export const OTHER = "other";

const STEP_MS = { hour: 3_600_000, day: 86_400_000 } as const;

/** Every bucket start in [from, to), so that hours or days without spend show as zero. */
export function bucketStarts(from: string, to: string, bucket: "hour" | "day"): number[] {
  const step = STEP_MS[bucket];
  const start = Math.floor(Date.parse(from) / step) * step;
  const starts: number[] = [];
  for (let t = start; t < Date.parse(to) && starts.length < 5000; t += step) starts.push(t);
  return starts;
}

export function pivotTrends(points: TrendPoint[], maxSeries = 8, fill: number[] = []): Pivot {
  // Buckets are compared as instants: the API may write "+00:00" where JS writes "Z".
  const instants = [...new Set([...fill, ...points.map((p) => Date.parse(p.bucket))])].sort((a, b) => a - b);
  const buckets = instants.map((t) => new Date(t).toISOString());
  const index = new Map(instants.map((t, i) => [t, i]));
  const byGroup = new Map<string, number[]>();
  for (const p of points) {
    let row = byGroup.get(p.group);
    if (!row) {
      row = new Array<number>(buckets.length).fill(0);
      byGroup.set(p.group, row);
    }
    row[index.get(Date.parse(p.bucket))!]! += p.total_micros;
  }
  const ranked = [...byGroup.entries()]
    .map(([name, data]) => ({ name, data, total: data.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  const kept = ranked.length > maxSeries ? ranked.slice(0, maxSeries - 1) : ranked;
  const rest = ranked.slice(kept.length);
  const series = [...kept];
  if (rest.length) {
    const data = buckets.map((_, i) => rest.reduce((sum, s) => sum + s.data[i]!, 0));
    series.push({ name: OTHER, data, total: data.reduce((a, b) => a + b, 0) });
  }
  return { buckets, series, total: series.reduce((a, s) => a + s.total, 0) };
}

export type Range = "24h" | "7d" | "30d" | "90d";

export const RANGE_HOURS: Record<Range, number> = { "24h": 24, "7d": 168, "30d": 720, "90d": 2160 };

/** [from, to) for a range ending at the next whole hour after `now`. */
export function rangeWindow(range: Range, now: Date = new Date()): { from: string; to: string } {
  const to = new Date(now);
  to.setUTCMinutes(0, 0, 0);
  to.setUTCHours(to.getUTCHours() + 1);
  const from = new Date(to.getTime() - RANGE_HOURS[range] * 3_600_000);
  return { from: from.toISOString(), to: to.toISOString() };
}
