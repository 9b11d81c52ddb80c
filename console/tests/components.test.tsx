import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";

import { ApiError } from "../src/api/client";
import { App } from "../src/App";
import { ConsoleProvider } from "../src/auth/context";
import { saveSession } from "../src/auth/session";
import { BudgetBar } from "../src/components/BudgetBar";
import { QueryState } from "../src/components/States";
import type { ConsoleConfig } from "../src/config";

test("the budget bar shows spent, reserved and a mark per threshold", () => {
  const { container } = render(<BudgetBar spent={85_000} reserved={5_000} limit={100_000} thresholds={[80, 90, 100]} />);
  const meter = screen.getByRole("meter");
  expect(meter).toHaveAttribute("aria-valuenow", "85");
  expect(meter).toHaveClass("near");
  expect(container.querySelectorAll("[data-threshold]")).toHaveLength(3);
  expect(screen.getByText("$0.01 left of $0.10 (85%)")).toBeInTheDocument();
});

function Probe({ fn }: { fn: () => Promise<string[]> }) {
  const query = useQuery({ queryKey: ["probe"], queryFn: fn, retry: false });
  return (
    <QueryState query={query} what="things" isEmpty={(d) => d.length === 0}>
      {(d) => <p>{d.join(",")}</p>}
    </QueryState>
  );
}

function withClient(node: React.ReactNode) {
  return <QueryClientProvider client={new QueryClient()}>{node}</QueryClientProvider>;
}

test("loading, empty, data and a refusal each have their state", async () => {
  const { unmount } = render(withClient(<Probe fn={() => new Promise(() => {})} />));
  expect(screen.getByRole("status")).toHaveTextContent("Loading things");
  unmount();
  const empty = render(withClient(<Probe fn={async () => []} />));
  expect(await screen.findByText("No things yet.")).toBeInTheDocument();
  empty.unmount();
  render(withClient(<Probe fn={async () => Promise.reject(new ApiError("budget", 403, { detail: "needs team_lead in cx" }))} />));
  expect(await screen.findByRole("alert")).toHaveTextContent("Your role does not allow this (budget: needs team_lead in cx)");
});

// The pages against a fake HTTP layer: the real services are in the Playwright suite; here
// only what the page does with an answer, for each role.
const config: ConsoleConfig = {
  services: { ingest: "http://i", registry: "http://r", cost: "http://c", budget: "http://b", notification: "http://n" },
  devLogin: true,
  oidc: null,
};

function fakeFetch(me: object): typeof fetch {
  const budgets = {
    items: [
      {
        policy_id: "p1", name: "cx daily", scope_kind: "team", scope_id: "cx", team_id: "cx", period: "day",
        limit_micros: 1_000_000, mode: "hard", thresholds: [80, 90, 100], timezone: "UTC", archived: false,
        created_at: "2026-11-24T00:00:00Z", updated_at: "2026-11-24T00:00:00Z",
        status: { spent_micros: 900_000, reserved_micros: 0, remaining_micros: 100_000, percent_used: 90, exceeded: false,
          thresholds_crossed: [80, 90], period_start: "2026-11-24T00:00:00Z", period_end: "2026-11-25T00:00:00Z" },
      },
    ],
    next_cursor: null,
  };
  return (async (input: RequestInfo | URL) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const body =
      url.pathname === "/v1/auth/me" ? me
      : url.pathname === "/v1/teams" ? { items: [{ team_id: "cx", name: "CX" }], next_cursor: null }
      : url.pathname === "/v1/budgets" ? budgets
      : { items: [], next_cursor: null };
    return new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

async function renderBudgets(me: object) {
  saveSession({ token: "t", expiresAt: Date.now() + 60_000, via: "dev" });
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/budgets"]}>
        <ConsoleProvider config={config} fetchImpl={fakeFetch(me)}>
          <App />
        </ConsoleProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  expect(await screen.findByText("cx daily")).toBeInTheDocument();
}

test("a team lead may create and edit the team's budgets", async () => {
  await renderBudgets({ subject: "user:l", kind: "user", roles: [{ team_id: "cx", role: "team_lead" }] });
  expect(screen.getByRole("button", { name: "New budget" })).toBeInTheDocument();
  expect(screen.getByRole("button", { name: "Edit" })).toBeInTheDocument();
  expect(screen.getByRole("meter")).toHaveAttribute("aria-valuenow", "90");
});

test("a viewer sees the budget but not the controls", async () => {
  await renderBudgets({ subject: "user:v", kind: "user", roles: [{ team_id: "cx", role: "viewer" }] });
  expect(screen.queryByRole("button", { name: "New budget" })).toBeNull();
  expect(screen.queryByRole("button", { name: "Edit" })).toBeNull();
  expect(screen.queryByRole("link", { name: "Admin" })).toBeNull();
});
