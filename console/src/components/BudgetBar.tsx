// Spent and reserved against the limit, with a mark at each threshold (80/90/100%).
import { formatUsd, percent } from "../lib/money";

export function BudgetBar({
  spent,
  reserved,
  limit,
  thresholds,
}: {
  spent: number;
  reserved: number;
  limit: number;
  thresholds: number[];
}) {
  const spentPct = Math.min(percent(spent, limit), 100);
  const reservedPct = Math.min(percent(reserved, limit), 100 - spentPct);
  const used = percent(spent, limit);
  const level = used >= 100 ? "over" : used >= 80 ? "near" : "ok";
  return (
    <div className="budget-bar">
      <div
        className={`bar ${level}`}
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(used, 100)}
        aria-label={`${used}% of ${formatUsd(limit)} spent`}
      >
        <div className="spent" style={{ width: `${spentPct}%` }} />
        <div className="reserved" style={{ width: `${reservedPct}%` }} />
        {thresholds
          .filter((t) => t <= 100)
          .map((t) => (
            <span key={t} className="mark" style={{ left: `${t}%` }} title={`${t}%`} data-threshold={t} />
          ))}
      </div>
      <div className="bar-legend">
        <span>
          {formatUsd(spent)} spent{reserved > 0 && <> · {formatUsd(reserved)} reserved</>}
        </span>
        <span>
          {formatUsd(Math.max(limit - spent - reserved, 0))} left of {formatUsd(limit)} ({used}%)
        </span>
      </div>
    </div>
  );
}
