// Where the services are and how people sign in: read at start from /config.json, so one
// build serves every deployment (the chart writes that file from its values).

export const SERVICES = ["ingest", "registry", "cost", "budget", "notification"] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface OidcConfig {
  authority: string;
  clientId: string;
  scope?: string;
}

export interface ConsoleConfig {
  services: Record<ServiceName, string>;
  devLogin: boolean;
  oidc: OidcConfig | null;
}

export class ConfigError extends Error {}

function sameOrigin(): string {
  return typeof window === "undefined" ? "" : window.location.origin;
}

export function parseConfig(raw: unknown): ConsoleConfig {
  if (typeof raw !== "object" || raw === null) throw new ConfigError("config.json: not an object");
  const value = raw as Record<string, unknown>;
  const services = value.services as Record<string, unknown> | undefined;
  if (typeof services !== "object" || services === null) {
    throw new ConfigError("config.json: services is missing");
  }
  const urls = {} as Record<ServiceName, string>;
  for (const name of SERVICES) {
    const url = services[name];
    // "" means the console's own origin: behind the umbrella chart's Ingress every /v1
    // prefix is on the console's host.
    if (typeof url !== "string" || (url !== "" && !/^https?:\/\//.test(url))) {
      throw new ConfigError(`config.json: services.${name} must be an http(s) URL or ""`);
    }
    urls[name] = url === "" ? sameOrigin() : url.replace(/\/+$/, "");
  }
  let oidc: OidcConfig | null = null;
  if (value.oidc) {
    const o = value.oidc as Record<string, unknown>;
    if (typeof o.authority !== "string" || typeof o.clientId !== "string") {
      throw new ConfigError("config.json: oidc needs authority and clientId");
    }
    oidc = {
      authority: o.authority,
      clientId: o.clientId,
      scope: typeof o.scope === "string" ? o.scope : undefined,
    };
  }
  const devLogin = value.devLogin === true;
  if (!devLogin && !oidc) throw new ConfigError("config.json: enable devLogin or configure oidc");
  return { services: urls, devLogin, oidc };
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig> {
  const response = await fetchImpl("/config.json", { cache: "no-store" });
  if (!response.ok) throw new ConfigError(`config.json: HTTP ${response.status}`);
  return parseConfig(await response.json());
}
