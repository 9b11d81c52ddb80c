import { formatUsd, parseUsd, percent } from "../src/lib/money";

test("formats micro-USD to cents, half up, with thousands separators", () => {
  expect(formatUsd(0)).toBe("$0.00");
  expect(formatUsd(1_234_565_000)).toBe("$1,234.57");
  expect(formatUsd(1_234_564_999)).toBe("$1,234.56");
  expect(formatUsd(150_000)).toBe("$0.15");
  expect(formatUsd(-2_500_000)).toBe("-$2.50");
});

test("keeps sub-cent amounts visible", () => {
  expect(formatUsd(1_234)).toBe("$0.001234");
  expect(formatUsd(9_999)).toBe("$0.009999");
  expect(formatUsd(10_000)).toBe("$0.01");
});

test("refuses a fractional or unsafe amount rather than show a wrong one", () => {
  expect(() => formatUsd(0.5)).toThrow(RangeError);
  expect(() => formatUsd(2 ** 60)).toThrow(RangeError);
});

test("parses dollar input into exact micro-USD without floats", () => {
  expect(parseUsd("12.50")).toBe(12_500_000);
  expect(parseUsd("$1,200")).toBe(1_200_000_000);
  expect(parseUsd("0.000001")).toBe(1);
  expect(parseUsd("0.1")).toBe(100_000); // 0.1 is not exact in binary; the digits are
  expect(parseUsd("twelve")).toBeNull();
  expect(parseUsd("1.0000001")).toBeNull();
  expect(parseUsd("-3")).toBeNull();
});

test("percent of a limit", () => {
  expect(percent(80, 100)).toBe(80);
  expect(percent(1, 3)).toBe(33.3);
  expect(percent(5, 0)).toBe(0);
});
