// One typed client per service (types generated from the OpenAPI snapshots), each sending
// the person's bearer token. A non-2xx answer becomes an ApiError carrying the service's
// problem+json, so pages can say which field was wrong.
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { ConsoleConfig, ServiceName } from "../config";
import type { paths as BudgetPaths } from "./schema/budget";
import type { paths as CostPaths } from "./schema/cost";
import type { paths as IngestPaths } from "./schema/ingest";
import type { paths as NotificationPaths } from "./schema/notification";
import type { paths as RegistryPaths } from "./schema/registry";

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; msg: string; type?: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(describe(service, status, problem));
    this.name = "ApiError";
  }

  get fieldErrors(): Record<string, string> {
    return Object.fromEntries((this.problem?.errors ?? []).map((e) => [e.field, e.msg]));
  }
}

function describe(service: ServiceName, status: number, problem: Problem | null): string {
  const head = problem?.detail ?? problem?.title ?? `HTTP ${status}`;
  const fields = (problem?.errors ?? []).map((e) => `${e.field}: ${e.msg}`).join("; ");
  return `${service}: ${head}${fields ? ` (${fields})` : ""}`;
}

export interface Api {
  ingest: Client<IngestPaths>;
  registry: Client<RegistryPaths>;
  cost: Client<CostPaths>;
  budget: Client<BudgetPaths>;
  notification: Client<NotificationPaths>;
}

export function createApi(
  config: ConsoleConfig,
  token: () => string | null,
  onUnauthorized: () => void,
  fetchImpl?: typeof fetch,
): Api {
  function client<P extends {}>(service: ServiceName): Client<P> {
    const c = createClient<P>({ baseUrl: config.services[service], fetch: fetchImpl });
    const auth: Middleware = {
      onRequest({ request }) {
        const bearer = token();
        if (bearer) request.headers.set("Authorization", `Bearer ${bearer}`);
        return request;
      },
      async onResponse({ response }) {
        if (response.ok) return response;
        if (response.status === 401) onUnauthorized();
        let problem: Problem | null = null;
        try {
          problem = (await response.clone().json()) as Problem;
        } catch {
          problem = null;
        }
        throw new ApiError(service, response.status, problem);
      },
    };
    c.use(auth);
    return c;
  }
  return {
    ingest: client<IngestPaths>("ingest"),
    registry: client<RegistryPaths>("registry"),
    cost: client<CostPaths>("cost"),
    budget: client<BudgetPaths>("budget"),
    notification: client<NotificationPaths>("notification"),
  };
}

/** The body of a successful answer (errors were thrown by the middleware). */
export async function data<T>(request: Promise<{ data?: T; response: Response }>): Promise<T> {
  const { data: body, response } = await request;
  if (body === undefined && response.status !== 204) {
    throw new Error(`empty answer from ${response.url}`);
  }
  return body as T;
}

export type { BudgetPaths, CostPaths, IngestPaths, NotificationPaths, RegistryPaths };
