import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";

export const ADMIN = "admin@example.com";
export const VIEWER = "viewer@example.com";
export const SHOTS = "test-results/screenshots";

export interface Services {
  ingest: string;
  registry: string;
  cost: string;
  budget: string;
  notification: string;
}

export async function services(request: APIRequestContext): Promise<Services> {
  return (await (await request.get("/config.json")).json()).services as Services;
}

export async function tokenFor(request: APIRequestContext, email: string): Promise<string> {
  const s = await services(request);
  const answer = await request.post(`${s.registry}/v1/auth/dev-login`, { data: { email } });
  expect(answer.ok()).toBeTruthy();
  return (await answer.json()).access_token as string;
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("E-mail (development login)").fill(email);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("who")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

/** "$1,234.57" the way the console shows micro-USD (half up to cents, or 6 places below a cent). */
export function usd(micros: number): string {
  const abs = Math.abs(micros);
  const places = abs !== 0 && abs < 10_000 ? 6 : 2;
  const unit = 10 ** (6 - places);
  const rounded = Math.floor((abs + unit / 2) / unit) * unit;
  const whole = Math.floor(rounded / 1_000_000).toLocaleString("en-US");
  const fraction = String(rounded % 1_000_000).padStart(6, "0").slice(0, places);
  return `${micros < 0 ? "-" : ""}$${whole}.${fraction}`;
}
