import { bucketStarts, OTHER, pivotTrends, rangeWindow } from "../src/lib/trends";

const p = (bucket: string, group: string, total_micros: number) => ({ bucket, group, calls: 1, total_micros });

test("pivots points into aligned series, largest first", () => {
  const pivot = pivotTrends([
    p("2026-11-02T00:00:00Z", "cx", 5),
    p("2026-11-01T00:00:00Z", "cx", 10),
    p("2026-11-01T00:00:00Z", "search", 30),
  ]);
  expect(pivot.buckets).toEqual(["2026-11-01T00:00:00.000Z", "2026-11-02T00:00:00.000Z"]);
  expect(pivot.series).toEqual([
    { name: "search", data: [30, 0], total: 30 },
    { name: "cx", data: [10, 5], total: 15 },
  ]);
  expect(pivot.total).toBe(45);
});

test("folds the smallest groups into other without losing a micro-dollar", () => {
  const points = Array.from({ length: 12 }, (_, i) => p("2026-11-01T00:00:00Z", `g${i}`, (i + 1) * 1_000_003));
  const pivot = pivotTrends(points, 4);
  expect(pivot.series.map((s) => s.name)).toEqual(["g11", "g10", "g9", OTHER]);
  const sum = points.reduce((a, x) => a + x.total_micros, 0);
  expect(pivot.total).toBe(sum);
  expect(pivot.series.reduce((a, s) => a + s.total, 0)).toBe(sum);
});

test("an empty range is empty", () => {
  expect(pivotTrends([])).toEqual({ buckets: [], series: [], total: 0 });
});

test("a range ends at the next whole hour", () => {
  const w = rangeWindow("24h", new Date("2026-11-24T09:41:12Z"));
  expect(w).toEqual({ from: "2026-11-23T10:00:00.000Z", to: "2026-11-24T10:00:00.000Z" });
});

test("empty buckets in the range are zeros, and offsets name the same instant", () => {
  const fill = bucketStarts("2026-11-24T00:00:00Z", "2026-11-24T03:00:00Z", "hour");
  expect(fill).toHaveLength(3);
  const pivot = pivotTrends([p("2026-11-24T01:00:00+00:00", "cx", 7)], 8, fill);
  expect(pivot.buckets).toEqual(["2026-11-24T00:00:00.000Z", "2026-11-24T01:00:00.000Z", "2026-11-24T02:00:00.000Z"]);
  expect(pivot.series).toEqual([{ name: "cx", data: [0, 7, 0], total: 7 }]);
});
