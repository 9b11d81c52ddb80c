import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { data } from "../api/client";
import type { ApiKeyIssued } from "../api/types";
import { useConsole, useMe } from "../auth/context";
import { can, isOrgAdmin, teamsWith, type Role } from "../auth/roles";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/States";
import { formatTime } from "../lib/time";

const SCOPES = ["events:write", "agents:register", "budget:check", "read", "admin"] as const;
type Scope = (typeof SCOPES)[number];
const ROLES: Role[] = ["viewer", "developer", "team_lead", "admin"];

function ApiKeys() {
  const { api, teams } = useConsole();
  const me = useMe();
  const client = useQueryClient();
  const mine = teamsWith(me, "team_lead", teams);
  const [team, setTeam] = useState(mine[0] ?? "");
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["events:write", "agents:register", "budget:check"]);
  const [issued, setIssued] = useState<ApiKeyIssued | null>(null);
  // Keys are listed per team, and only to the team's leads (as registry decides).
  const keys = useQuery({
    queryKey: ["api-keys", mine],
    enabled: mine.length > 0,
    queryFn: async () => {
      const pages = await Promise.all(
        mine.map((t) => data(api.registry.GET("/v1/api-keys", { params: { query: { team_id: t, limit: 500 } } }))),
      );
      return pages.flatMap((p) => p.items);
    },
  });
  const issue = useMutation({
    mutationFn: async () =>
      data(api.registry.POST("/v1/api-keys", { body: { team_id: team || mine[0]!, name, scopes, environment: "prod" } })),
    onSuccess: (key) => {
      setIssued(key);
      setName("");
      void client.invalidateQueries({ queryKey: ["api-keys"] });
    },
  });
  const revoke = useMutation({
    mutationFn: async (keyId: string) =>
      data(api.registry.POST("/v1/api-keys/{key_id}/revoke", { params: { path: { key_id: keyId } }, body: { reason: "revoked in the console" } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["api-keys"] }),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    issue.mutate();
  }

  return (
    <section className="card">
      <h3>API keys</h3>
      {mine.length > 0 ? (
        <form className="inline-form" aria-label="Issue API key" onSubmit={submit}>
          <select aria-label="Key team" value={team} onChange={(e) => setTeam(e.target.value)}>
            {mine.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
          <input aria-label="Key name" placeholder="Key name" required value={name} onChange={(e) => setName(e.target.value)} />
          <fieldset>
            {SCOPES.map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  checked={scopes.includes(s)}
                  onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                />
                {s}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={issue.isPending || scopes.length === 0}>
            Issue key
          </button>
        </form>
      ) : (
        <p className="muted" data-testid="keys-readonly">
          Issuing and revoking keys needs the team_lead role in a team; you can see the keys of your teams.
        </p>
      )}
      {issue.isError && (
        <p role="alert" className="error-text">
          {issue.error.message}
        </p>
      )}
      {issued && (
        <div className="reveal" role="status">
          <p>
            Key <strong>{issued.name}</strong> for {issued.team_id}. Copy it now: it is shown this once and
            cannot be recovered.
          </p>
          <code data-testid="issued-key">{issued.api_key}</code>
          <button type="button" onClick={() => void navigator.clipboard?.writeText(issued.api_key)}>
            Copy
          </button>
          <button type="button" onClick={() => setIssued(null)}>
            Done
          </button>
        </div>
      )}
      {revoke.isError && <p className="error-text">{revoke.error.message}</p>}
      {mine.length > 0 && <QueryState query={keys} what="API keys" isEmpty={(k) => k.length === 0} empty="No keys yet.">
        {(rows) => (
          <DataTable
            label="API keys"
            rows={rows}
            rowKey={(k) => k.key_id}
            columns={[
              { header: "Name", cell: (k) => k.name },
              { header: "Team", cell: (k) => k.team_id },
              { header: "Prefix", cell: (k) => <code>{k.prefix}</code> },
              { header: "Scopes", cell: (k) => k.scopes.join(", ") },
              { header: "Issued", cell: (k) => formatTime(k.issued_at) },
              {
                header: "State",
                cell: (k) => (k.revoked_at ? <span className="pill failed">revoked {formatTime(k.revoked_at)}</span> : <span className="pill succeeded">active</span>),
              },
              {
                header: "",
                cell: (k) =>
                  !k.revoked_at &&
                  can(me, "keys:manage", k.team_id) && (
                    <button type="button" onClick={() => window.confirm(`Revoke ${k.name}? Agents using it stop within seconds.`) && revoke.mutate(k.key_id)}>
                      Revoke
                    </button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>}
    </section>
  );
}

function Users() {
  const { api, teams } = useConsole();
  const client = useQueryClient();
  const users = useQuery({
    queryKey: ["users"],
    queryFn: async () => (await data(api.registry.GET("/v1/users", { params: { query: { limit: 500 } } }))).items,
  });
  const [email, setEmail] = useState("");
  const [grantTeam, setGrantTeam] = useState<Record<string, string>>({});
  const [grantRole, setGrantRole] = useState<Record<string, Role>>({});
  const create = useMutation({
    mutationFn: async () => data(api.registry.POST("/v1/users", { body: { email, display_name: null, org_role: null } })),
    onSuccess: () => {
      setEmail("");
      void client.invalidateQueries({ queryKey: ["users"] });
    },
  });
  const grant = useMutation({
    mutationFn: async ({ userId, team, role }: { userId: string; team: string; role: Role }) =>
      data(api.registry.POST("/v1/users/{user_id}/roles", { params: { path: { user_id: userId } }, body: { team_id: team, role } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["users"] }),
  });
  const remove = useMutation({
    mutationFn: async ({ userId, team }: { userId: string; team: string }) =>
      data(api.registry.DELETE("/v1/users/{user_id}/roles/{team_id}", { params: { path: { user_id: userId, team_id: team } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["users"] }),
  });
  const failure = create.error ?? grant.error ?? remove.error;
  return (
    <section className="card">
      <h3>Users and roles</h3>
      <form
        className="inline-form"
        aria-label="Add user"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <input type="email" aria-label="New user's e-mail" placeholder="name@company.com" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <button type="submit" disabled={create.isPending}>
          Add user
        </button>
      </form>
      {failure && <p className="error-text">{failure.message}</p>}
      <QueryState query={users} what="users" isEmpty={(u) => u.length === 0}>
        {(rows) => (
          <DataTable
            label="Users"
            rows={rows}
            rowKey={(u) => u.user_id}
            columns={[
              { header: "E-mail", cell: (u) => u.email },
              { header: "Organisation role", cell: (u) => u.org_role ?? "—" },
              {
                header: "Team roles",
                cell: (u) => (
                  <span className="chips">
                    {u.roles.map((r) => (
                      <span key={r.team_id} className="chip">
                        {r.role} in {r.team_id}
                        <button type="button" aria-label={`Remove ${r.role} in ${r.team_id}`} onClick={() => remove.mutate({ userId: u.user_id, team: r.team_id })}>
                          ×
                        </button>
                      </span>
                    ))}
                  </span>
                ),
              },
              {
                header: "Grant",
                cell: (u) => (
                  <span className="actions">
                    <select aria-label={`Team for ${u.email}`} value={grantTeam[u.user_id] ?? teams[0] ?? ""} onChange={(e) => setGrantTeam({ ...grantTeam, [u.user_id]: e.target.value })}>
                      {teams.map((t) => (
                        <option key={t}>{t}</option>
                      ))}
                    </select>
                    <select aria-label={`Role for ${u.email}`} value={grantRole[u.user_id] ?? "viewer"} onChange={(e) => setGrantRole({ ...grantRole, [u.user_id]: e.target.value as Role })}>
                      {ROLES.map((r) => (
                        <option key={r}>{r}</option>
                      ))}
                    </select>
                    <button
                      type="button"
                      onClick={() =>
                        grant.mutate({ userId: u.user_id, team: grantTeam[u.user_id] ?? teams[0]!, role: grantRole[u.user_id] ?? "viewer" })
                      }
                    >
                      Grant
                    </button>
                  </span>
                ),
              },
            ]}
          />
        )}
      </QueryState>
    </section>
  );
}

function Audit() {
  const { api } = useConsole();
  const me = useMe();
  const [type, setType] = useState("");
  const audit = useQuery({
    queryKey: ["audit", type],
    queryFn: async () =>
      (await data(api.registry.GET("/v1/audit", { params: { query: { type: type || undefined, limit: 100 } } }))).items,
  });
  const verification = useQuery({
    queryKey: ["audit-verify"],
    enabled: isOrgAdmin(me),
    queryFn: async () => data(api.registry.GET("/v1/audit/verify")),
  });
  return (
    <section className="card">
      <h3>Audit trail</h3>
      {isOrgAdmin(me) && (
        <div data-testid="audit-verification">
          {verification.isPending && "Verifying the hash chain…"}
          {verification.isError && <span className="error-text">{verification.error.message}</span>}
          {verification.data &&
            (verification.data.ok ? (
              <span className="pill succeeded">hash chain intact · {verification.data.entries} entries</span>
            ) : (
              <span className="pill failed">
                chain broken at position {verification.data.first_broken_position}: {verification.data.detail}
              </span>
            ))}
        </div>
      )}
      <div className="toolbar">
        <input aria-label="Event type" placeholder="Filter by type, e.g. registry.api_key.issued.v1" value={type} onChange={(e) => setType(e.target.value)} />
      </div>
      <QueryState query={audit} what="audit entries" isEmpty={(a) => a.length === 0} empty="No audit entries.">
        {(rows) => (
          <DataTable
            label="Audit trail"
            rows={rows}
            rowKey={(a) => a.event_id}
            columns={[
              { header: "#", cell: (a) => a.position, align: "right" },
              { header: "When", cell: (a) => formatTime(a.occurred_at) },
              { header: "Actor", cell: (a) => a.actor ?? "—" },
              { header: "Type", cell: (a) => a.type },
              { header: "Subject", cell: (a) => a.subject },
              { header: "Team", cell: (a) => a.team_id ?? "—" },
              { header: "Hash", cell: (a) => <code title={a.hash}>{a.hash.slice(0, 10)}</code> },
            ]}
          />
        )}
      </QueryState>
    </section>
  );
}

export function Admin() {
  const me = useMe();
  return (
    <div className="page">
      <h1>Admin</h1>
      <ApiKeys />
      {isOrgAdmin(me) ? <Users /> : <p className="muted">Users and roles are managed by an organisation admin.</p>}
      <Audit />
    </div>
  );
}
