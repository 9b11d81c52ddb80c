import { useMutation } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useLocation, useNavigate } from "react-router-dom";

import { data } from "../api/client";
import { useConsole } from "../auth/context";
import { finishOidcSignIn, startOidcSignIn } from "../auth/oidc";

export function SignIn() {
  const { config, api, signIn } = useConsole();
  const location = useLocation();
  const returnTo = (location.state as { from?: string } | null)?.from ?? "/";
  const navigate = useNavigate();
  const [email, setEmail] = useState("");

  const devLogin = useMutation({
    mutationFn: async (address: string) =>
      data(api.registry.POST("/v1/auth/dev-login", { body: { email: address } })),
    onSuccess: (token) => {
      signIn({ token: token.access_token, expiresAt: Date.now() + token.expires_in * 1000, via: "dev" });
      navigate(returnTo, { replace: true });
    },
  });
  const oidc = useMutation({ mutationFn: () => startOidcSignIn(config.oidc!, returnTo) });

  function submit(event: FormEvent) {
    event.preventDefault();
    devLogin.mutate(email.trim());
  }

  return (
    <div className="signin">
      <h1>Cognive</h1>
      <p>Cost, budgets and telemetry of your AI agents.</p>
      {config.oidc && (
        <button type="button" className="primary" onClick={() => oidc.mutate()} disabled={oidc.isPending}>
          Sign in with your organisation
        </button>
      )}
      {oidc.isError && <p role="alert">{String(oidc.error)}</p>}
      {config.devLogin && (
        <form onSubmit={submit} aria-label="Development sign-in">
          <label>
            E-mail (development login)
            <input
              type="email"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              autoComplete="username"
            />
          </label>
          <button type="submit" className="primary" disabled={devLogin.isPending}>
            Sign in
          </button>
          {devLogin.isError && (
            <p role="alert" className="error-text">
              {devLogin.error.message}
            </p>
          )}
        </form>
      )}
    </div>
  );
}

export function OidcCallback() {
  const { config, signIn } = useConsole();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!config.oidc) return;
    finishOidcSignIn(config.oidc)
      .then(({ session, returnTo }) => {
        signIn(session);
        navigate(returnTo, { replace: true });
      })
      .catch((e: unknown) => setError(String(e)));
  }, [config.oidc, signIn, navigate]);
  return <div className="signin">{error ? <p role="alert">{error}</p> : <p>Signing in…</p>}</div>;
}
