// Production sign-in: OIDC authorization code with PKCE (oidc-client-ts does the
// verifier, state and nonce). The access token is what the services verify against the
// provider's JWKS; registry's /v1/auth/me maps its groups to roles.
import { UserManager, WebStorageStateStore } from "oidc-client-ts";

import type { OidcConfig } from "../config";
import type { Session } from "./session";

export const CALLBACK_PATH = "/auth/callback";

export function userManager(oidc: OidcConfig): UserManager {
  return new UserManager({
    authority: oidc.authority,
    client_id: oidc.clientId,
    redirect_uri: `${window.location.origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${window.location.origin}/`,
    response_type: "code",
    scope: oidc.scope ?? "openid profile email",
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}

export async function startOidcSignIn(oidc: OidcConfig, returnTo: string): Promise<void> {
  await userManager(oidc).signinRedirect({ state: { returnTo } });
}

export async function finishOidcSignIn(
  oidc: OidcConfig,
): Promise<{ session: Session; returnTo: string }> {
  const user = await userManager(oidc).signinRedirectCallback();
  const expiresAt = (user.expires_at ?? Math.floor(Date.now() / 1000) + 3600) * 1000;
  const returnTo = (user.state as { returnTo?: string } | undefined)?.returnTo ?? "/";
  return { session: { token: user.access_token, expiresAt, via: "oidc" }, returnTo };
}
