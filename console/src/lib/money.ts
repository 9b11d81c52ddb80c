// Money arrives as integer micro-USD and is shown without ever passing through a float
// sum: formatting and parsing work on the digits.

const MICROS_PER_USD = 1_000_000;

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** "$1,234.57" for amounts of a cent or more; small amounts keep enough digits to be seen. */
export function formatUsd(micros: number, decimals?: number): string {
  if (!Number.isSafeInteger(micros)) throw new RangeError(`not an integer amount: ${micros}`);
  const sign = micros < 0 ? "-" : "";
  let abs = Math.abs(micros);
  const places = decimals ?? (abs !== 0 && abs < 10_000 ? 6 : 2);
  const unit = 10 ** (6 - places);
  abs = Math.floor((abs + unit / 2) / unit) * unit; // half up, in integers
  const whole = Math.floor(abs / MICROS_PER_USD);
  const fraction = String(abs % MICROS_PER_USD).padStart(6, "0").slice(0, places);
  return `${sign}$${groupThousands(String(whole))}${places ? "." + fraction : ""}`;
}

/** Parse "12.50" or "$1,200" into micro-USD; null when it is not an amount. */
export function parseUsd(text: string): number | null {
  const cleaned = text.trim().replace(/^\$/, "").replace(/,/g, "");
  const match = /^(\d+)(?:\.(\d{0,6}))?$/.exec(cleaned);
  if (!match) return null;
  const micros = Number(match[1]) * MICROS_PER_USD + Number((match[2] ?? "").padEnd(6, "0"));
  return Number.isSafeInteger(micros) ? micros : null;
}

/** Share of `part` in `whole` as a percentage with one decimal, for display. */
export function percent(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.round((part * 1000) / whole) / 10;
}
