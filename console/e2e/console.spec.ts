import { expect, test } from "@playwright/test";

import { ADMIN, VIEWER, services, shot, signIn, tokenFor, usd } from "./helpers";
import { shortId } from "../src/lib/ids";

function startOfUtc(unit: "day" | "month"): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), unit === "day" ? now.getUTCDate() : 1)).toISOString();
}

test("overview numbers match the cost and budget APIs", async ({ page, request }) => {
  const s = await services(request);
  const token = await tokenFor(request, ADMIN);
  const auth = { Authorization: `Bearer ${token}` };
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const today = await (
    await request.get(`${s.cost}/v1/costs/summary`, { params: { group_by: "team", from: startOfUtc("day"), to }, headers: auth })
  ).json();
  const month = await (
    await request.get(`${s.cost}/v1/costs/summary`, { params: { group_by: "team", from: startOfUtc("month"), to }, headers: auth })
  ).json();
  const budgets = await (await request.get(`${s.budget}/v1/budgets`, { params: { with_status: "true" }, headers: auth })).json();
  expect(today.total_micros).toBeGreaterThan(0);

  await signIn(page, ADMIN);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByTestId("spend-today")).toHaveText(usd(today.total_micros));
  await expect(page.getByTestId("spend-month")).toHaveText(usd(month.total_micros));
  const watched = budgets.items.filter((b: { archived: boolean; status: { percent_used: number } | null }) => !b.archived && (b.status?.percent_used ?? 0) >= 80);
  await expect(page.getByTestId("budgets-watched")).toHaveText(String(watched.length));
  // The fleet called a model nobody priced: the overview says so.
  await expect(page.getByTestId("unpriced-warning")).toContainText("acme-llm-7b");
  // Top teams: each row's cost is the API's.
  const topTeams = page.getByRole("table", { name: "Top teams this month" });
  for (const group of month.groups.slice(0, 2)) {
    await expect(topTeams.getByRole("row", { name: new RegExp(`^${group.group} `) })).toContainText(usd(group.total_micros));
  }
  await shot(page, "overview");
});

test("cost trends change grouping and export CSV", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Cost trends" }).click();
  const table = page.getByRole("table", { name: "Cost by team" });
  await expect(table).toContainText("cx");
  await expect(table).toContainText("search");
  await page.getByLabel("Group by").selectOption("model");
  const byModel = page.getByRole("table", { name: "Cost by model" });
  await expect(byModel).toContainText("gpt-4o");
  await expect(page).toHaveURL(/group_by=model/);
  await page.getByLabel("Group by").selectOption("agent");
  await expect(page.getByRole("table", { name: "Cost by agent" })).toContainText("support-bot");
  await page.getByRole("group", { name: "Time range" }).getByRole("button", { name: "24h" }).click();
  await expect(page.getByLabel("Bucket")).toHaveValue("hour");
  await expect(page.getByRole("img", { name: "Cost per hour by agent" })).toBeVisible();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("cognive-costs-by-agent-hour.csv");
  await shot(page, "cost-trends");
});

test("a run opens as a timeline of steps, LLM calls and tool calls", async ({ page, request }) => {
  const s = await services(request);
  const token = await tokenFor(request, ADMIN);
  const listed = await (await request.get(`${s.ingest}/v1/runs`, { params: { limit: 50 }, headers: { Authorization: `Bearer ${token}` } })).json();
  const run = listed.items.find((r: { status: string; llm_call_count: number }) => r.status === "success" && r.llm_call_count > 0);
  expect(run).toBeTruthy();

  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Agents" }).click();
  await expect(page.getByRole("table", { name: "Agents" })).toContainText("support-bot");
  await shot(page, "agents");
  await page.getByRole("link", { name: "support-bot" }).click();
  await expect(page.getByTestId("allowed-models")).toContainText("gpt-4o*");
  await shot(page, "agent-detail");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Runs" }).click();
  const runs = page.getByRole("table", { name: "Runs" });
  await expect(runs.getByRole("row")).not.toHaveCount(1);
  await shot(page, "runs");
  // A finished run with LLM calls.
  await runs.getByRole("link", { name: shortId(run.run_id), exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${run.run_id}$`));
  const timeline = page.getByRole("list", { name: "Run timeline" });
  await expect(timeline.locator('[data-kind="llm"]')).toHaveCount(run.llm_call_count);
  await expect(timeline.locator('[data-kind="tool"]')).toHaveCount(run.tool_call_count);
  await expect(timeline.locator('[data-kind="llm"]').first()).toContainText("in (");
  // Every call is priced (or marked unpriced), and the run's cost is their sum.
  await expect(page.getByTestId("call-cost").first()).not.toHaveText("pricing…");
  await expect(page.getByTestId("run-cost")).toHaveText(/^\$\d/);
  await shot(page, "run-timeline");
});

test("an admin creates a budget and sees it with its threshold marks", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Budgets" }).click();
  await expect(page.getByRole("table", { name: "Blocked calls" }).or(page.getByText("No call was blocked."))).toBeVisible();
  await page.getByRole("button", { name: "New budget" }).click();
  const form = page.getByRole("form", { name: "New budget" });
  const name = `search weekly ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Scope").selectOption("team");
  await form.getByLabel("Team", { exact: true }).selectOption("search");
  await form.getByLabel("Period").selectOption("week");
  // A wrong amount is refused with the field named, and nothing is created.
  await form.getByLabel("Limit (USD)").fill("twelve");
  await form.getByRole("button", { name: "Create budget" }).click();
  await expect(form.getByText("an amount in dollars")).toBeVisible();
  await form.getByLabel("Limit (USD)").fill("12.50");
  await form.getByRole("button", { name: "Create budget" }).click();
  const created = page.getByTestId("budget").filter({ hasText: name });
  await expect(created).toBeVisible();
  await expect(created).toContainText("of $12.50");
  await expect(created.locator("[data-threshold]")).toHaveCount(3);
  await shot(page, "budgets");
});

test("an admin issues a key (shown once) and revokes it", async ({ page, request }) => {
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Admin" }).click();
  const form = page.getByRole("form", { name: "Issue API key" });
  await form.getByLabel("Key team").selectOption("cx");
  const name = `browser-test-key-${Date.now()}`;
  await form.getByLabel("Key name").fill(name);
  await form.getByLabel("read", { exact: true }).check();
  await form.getByRole("button", { name: "Issue key" }).click();
  const key = (await page.getByTestId("issued-key").textContent())!;
  expect(key.length).toBeGreaterThan(20);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("issued-key")).toHaveCount(0);

  const s = await services(request);
  const bearer = { Authorization: `Bearer ${key}` };
  await expect.poll(async () => (await request.get(`${s.ingest}/v1/runs`, { headers: bearer })).status(), { timeout: 20_000 }).toBe(200);

  const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: name });
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  // Revoked means refused at ingest, within seconds.
  await expect.poll(async () => (await request.get(`${s.ingest}/v1/runs`, { headers: bearer })).status(), { timeout: 20_000 }).toBe(401);
  await expect(page.getByTestId("audit-verification")).toContainText("hash chain intact");
  await shot(page, "admin");
});

test("alerts show channels, subscriptions and the delivery log", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Alerts" }).click();
  const channels = page.getByRole("table", { name: "Channels" });
  await expect(channels).toContainText("webhook");
  await expect(channels).toContainText("email");
  await expect(page.getByRole("table", { name: "Subscriptions" })).toContainText("budget.threshold.crossed.v1");
  const row = channels.getByRole("row").filter({ hasText: "webhook" }).first();
  await row.getByRole("button", { name: "Send test" }).click();
  await expect(row.getByRole("status")).toContainText("delivered");
  await shot(page, "alerts");
});

test("a viewer sees the data but none of the controls, and the services refuse them", async ({ page, request }) => {
  await signIn(page, VIEWER);
  await expect(page.getByTestId("who")).toContainText("viewer in cx");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  await page.getByRole("link", { name: "Budgets" }).click();
  await expect(page.getByTestId("budget").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "New budget" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await page.goto("/admin");
  await expect(page.getByTestId("keys-readonly")).toBeVisible();
  await expect(page.getByRole("form", { name: "Issue API key" })).toHaveCount(0);
  await shot(page, "viewer-admin");

  // The console only hides what the services would refuse anyway.
  const s = await services(request);
  const token = await tokenFor(request, VIEWER);
  const refused = await request.post(`${s.registry}/v1/api-keys`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { team_id: "cx", name: "nope", scopes: ["read"] },
  });
  expect(refused.status()).toBe(403);
  expect(refused.headers()["content-type"]).toContain("application/problem+json");
});
