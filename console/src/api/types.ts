// Short names for the schemas the pages use.
import type { components as Budget } from "./schema/budget";
import type { components as Cost } from "./schema/cost";
import type { components as Ingest } from "./schema/ingest";
import type { components as Notification } from "./schema/notification";
import type { components as Registry } from "./schema/registry";

export type BudgetOut = Budget["schemas"]["BudgetOut"];
export type BudgetCreate = Budget["schemas"]["BudgetCreate"];
export type BudgetUpdate = Budget["schemas"]["BudgetUpdate"];
export type BlockedCallOut = Budget["schemas"]["BlockedCallOut"];
export type SummaryOut = Cost["schemas"]["SummaryOut"];
export type TrendsOut = Cost["schemas"]["TrendsOut"];
export type UnpricedModelOut = Cost["schemas"]["UnpricedModelOut"];
export type CallCostOut = Cost["schemas"]["CallCostOut"];
export type RunSummary = Ingest["schemas"]["RunSummary"];
export type RunDetail = Ingest["schemas"]["RunDetail"];
export type PolicyViolationOut = Ingest["schemas"]["PolicyViolationOut"];
export type ChannelOut = Notification["schemas"]["ChannelOut"];
export type SubscriptionOut = Notification["schemas"]["SubscriptionOut"];
export type DeliveryOut = Notification["schemas"]["DeliveryOut"];
export type AgentOut = Registry["schemas"]["AgentOut"];
export type ApiKeyOut = Registry["schemas"]["ApiKeyOut"];
export type ApiKeyIssued = Registry["schemas"]["ApiKeyIssued"];
export type UserOut = Registry["schemas"]["UserOut"];
export type TeamOut = Registry["schemas"]["TeamOut"];
export type AuditEntryOut = Registry["schemas"]["AuditEntryOut"];
export type MeOut = Registry["schemas"]["MeOut"];
