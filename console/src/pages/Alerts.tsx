import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState, type FormEvent } from "react";

import { data } from "../api/client";
import type { ChannelOut, DeliveryOut } from "../api/types";
import { useConsole, useMe } from "../auth/context";
import { can, teamsWith } from "../auth/roles";
import { DataTable } from "../components/DataTable";
import { QueryState } from "../components/States";
import { formatTime } from "../lib/time";

const EVENT_TYPES = [
  "budget.threshold.crossed.v1",
  "budget.exceeded.v1",
  "budget.call.blocked.v1",
  "ingest.policy.violated.v1",
  "cost.llm_call.unpriced.v1",
];

function NewChannel({ onDone }: { onDone: () => void }) {
  const { api, teams } = useConsole();
  const me = useMe();
  const client = useQueryClient();
  const mine = teamsWith(me, "team_lead", teams);
  const [team, setTeam] = useState(mine[0] ?? "");
  const [kind, setKind] = useState<"webhook" | "email" | "slack">("webhook");
  const [name, setName] = useState("");
  const [target, setTarget] = useState("");
  const [secret, setSecret] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: async () =>
      data(
        api.notification.POST("/v1/channels", {
          body: {
            team_id: team,
            kind,
            name,
            url: kind === "email" ? null : target,
            recipients: kind === "email" ? target.split(",").map((r) => r.trim()).filter(Boolean) : [],
            headers: {},
          },
        }),
      ),
    onSuccess: (created) => {
      void client.invalidateQueries({ queryKey: ["channels"] });
      if (created.signing_secret) setSecret(created.signing_secret);
      else onDone();
    },
  });
  if (secret) {
    return (
      <div className="card reveal" role="status">
        <p>
          The signing secret, shown this once — give it to the receiver so it can verify each
          webhook:
        </p>
        <code data-testid="signing-secret">{secret}</code>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    );
  }
  return (
    <form
      className="card form"
      aria-label="New channel"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <h3>New channel</h3>
      <label>
        Team
        <select value={team} onChange={(e) => setTeam(e.target.value)}>
          {mine.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
          <option value="webhook">signed webhook</option>
          <option value="email">e-mail</option>
          <option value="slack">Slack incoming webhook</option>
        </select>
      </label>
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        {kind === "email" ? "Recipients (comma-separated)" : "URL"}
        <input required value={target} onChange={(e) => setTarget(e.target.value)} />
      </label>
      {create.isError && (
        <p role="alert" className="error-text">
          {create.error.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          Create channel
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Subscriptions({ channels }: { channels: ChannelOut[] }) {
  const { api } = useConsole();
  const me = useMe();
  const client = useQueryClient();
  const subs = useQuery({
    queryKey: ["subscriptions"],
    queryFn: async () => (await data(api.notification.GET("/v1/subscriptions", { params: { query: { limit: 200 } } }))).items,
  });
  const manageable = channels.filter((c) => can(me, "alerts:manage", c.team_id));
  const [channel, setChannel] = useState("");
  const [types, setTypes] = useState<string[]>(EVENT_TYPES.slice(0, 2));
  const add = useMutation({
    mutationFn: async () =>
      data(
        api.notification.POST("/v1/subscriptions", {
          body: { channel_id: channel || manageable[0]!.channel_id, event_types: types, filter_agent_ids: [], filter_team_ids: [] },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["subscriptions"] }),
  });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      api.notification.DELETE("/v1/subscriptions/{subscription_id}", { params: { path: { subscription_id: id } } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["subscriptions"] }),
  });
  const channelName = new Map(channels.map((c) => [c.channel_id, c.name]));
  return (
    <section className="card">
      <h3>Subscriptions</h3>
      <QueryState query={subs} what="subscriptions" isEmpty={(s) => s.length === 0} empty="No channel is subscribed to anything.">
        {(rows) => (
          <DataTable
            label="Subscriptions"
            rows={rows}
            rowKey={(s) => s.subscription_id}
            columns={[
              { header: "Channel", cell: (s) => channelName.get(s.channel_id) ?? s.channel_id },
              { header: "Events", cell: (s) => s.event_types.join(", ") },
              { header: "Filters", cell: (s) => [...s.filter_team_ids, ...s.filter_agent_ids].join(", ") || "none" },
              {
                header: "",
                cell: (s) =>
                  can(me, "alerts:manage", s.team_id) && (
                    <button type="button" onClick={() => remove.mutate(s.subscription_id)}>
                      Remove
                    </button>
                  ),
              },
            ]}
          />
        )}
      </QueryState>
      {manageable.length > 0 && (
        <form
          className="inline-form"
          aria-label="New subscription"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <select aria-label="Channel" value={channel} onChange={(e) => setChannel(e.target.value)}>
            {manageable.map((c) => (
              <option key={c.channel_id} value={c.channel_id}>
                {c.name}
              </option>
            ))}
          </select>
          <fieldset>
            {EVENT_TYPES.map((t) => (
              <label key={t} className="check">
                <input
                  type="checkbox"
                  checked={types.includes(t)}
                  onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))}
                />
                {t}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={add.isPending || types.length === 0}>
            Subscribe
          </button>
          {add.isError && <span className="error-text">{add.error.message}</span>}
        </form>
      )}
    </section>
  );
}

function Deliveries({ channels }: { channels: ChannelOut[] }) {
  const { api } = useConsole();
  const me = useMe();
  const client = useQueryClient();
  const [status, setStatus] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const deliveries = useQuery({
    queryKey: ["deliveries", status],
    queryFn: async () =>
      (
        await data(
          api.notification.GET("/v1/deliveries", {
            params: { query: { status: (status || undefined) as DeliveryOut["status"] | undefined, limit: 100 } },
          }),
        )
      ).items,
    refetchInterval: 10_000,
  });
  const detail = useQuery({
    queryKey: ["delivery", open],
    enabled: open !== null,
    queryFn: async () =>
      data(api.notification.GET("/v1/deliveries/{delivery_id}", { params: { path: { delivery_id: open! } } })),
  });
  const redeliver = useMutation({
    mutationFn: async (id: string) =>
      data(api.notification.POST("/v1/deliveries/{delivery_id}/redeliver", { params: { path: { delivery_id: id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["deliveries"] }),
  });
  const channelOf = new Map(channels.map((c) => [c.channel_id, c]));
  return (
    <section className="card">
      <h3>Delivery log</h3>
      <div className="toolbar">
        <select aria-label="Delivery status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Any status</option>
          <option>pending</option>
          <option>succeeded</option>
          <option>failed</option>
        </select>
      </div>
      {redeliver.isError && <p className="error-text">{redeliver.error.message}</p>}
      <QueryState query={deliveries} what="deliveries" isEmpty={(d) => d.length === 0} empty="Nothing was delivered yet.">
        {(rows) => (
          <table className="table" aria-label="Deliveries">
            <thead>
              <tr>
                <th>When</th>
                <th>Event</th>
                <th>Channel</th>
                <th>Status</th>
                <th className="num">Attempts</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => {
                const channel = channelOf.get(d.channel_id);
                return (
                  <Fragment key={d.delivery_id}>
                    <tr>
                      <td>{formatTime(d.created_at)}</td>
                      <td>{d.event_type}</td>
                      <td>{channel ? `${channel.name} (${channel.kind})` : d.channel_id}</td>
                      <td>
                        <span className={`pill ${d.status}`}>{d.status}</span> {d.last_error}
                      </td>
                      <td className="num">{d.attempts}</td>
                      <td className="actions">
                        <button type="button" onClick={() => setOpen(open === d.delivery_id ? null : d.delivery_id)}>
                          {open === d.delivery_id ? "Hide" : "Attempts"}
                        </button>
                        {channel && can(me, "alerts:manage", channel.team_id) && d.status !== "pending" && (
                          <button type="button" onClick={() => redeliver.mutate(d.delivery_id)}>
                            Redeliver
                          </button>
                        )}
                      </td>
                    </tr>
                    {open === d.delivery_id && (
                      <tr>
                        <td colSpan={6}>
                          <QueryState query={detail} what="attempts" isEmpty={(x) => !x.attempt_log?.length} empty="No attempt yet.">
                            {(x) => (
                              <ol className="attempts">
                                {x.attempt_log!.map((a) => (
                                  <li key={a.attempt}>
                                    #{a.attempt} {formatTime(a.at)} · {a.outcome}
                                    {a.status_code !== null && a.status_code !== undefined && <> · HTTP {a.status_code}</>}
                                    {a.latency_ms !== null && a.latency_ms !== undefined && <> · {a.latency_ms} ms</>}
                                    {a.error && <> · {a.error}</>}
                                  </li>
                                ))}
                              </ol>
                            )}
                          </QueryState>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}

export function Alerts() {
  const { api, teams } = useConsole();
  const me = useMe();
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [tested, setTested] = useState<Record<string, string>>({});
  const channels = useQuery({
    queryKey: ["channels"],
    queryFn: async () => (await data(api.notification.GET("/v1/channels", { params: { query: { limit: 200 } } }))).items,
  });
  const test = useMutation({
    mutationFn: async (id: string) =>
      [id, await data(api.notification.POST("/v1/channels/{channel_id}/test", { params: { path: { channel_id: id } } }))] as const,
    onSuccess: ([id, result]) =>
      setTested((t) => ({
        ...t,
        [id]: result.delivered ? `delivered in ${result.latency_ms} ms` : `failed: ${result.error ?? `HTTP ${result.status_code}`}`,
      })),
  });
  const disable = useMutation({
    mutationFn: async (id: string) =>
      data(api.notification.POST("/v1/channels/{channel_id}/disable", { params: { path: { channel_id: id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["channels"] }),
  });
  const mayCreate = teamsWith(me, "team_lead", teams).length > 0;

  return (
    <div className="page">
      <h1>Alerts</h1>
      <section className="card">
        <h3>Channels</h3>
        {mayCreate && !creating && (
          <button type="button" onClick={() => setCreating(true)}>
            New channel
          </button>
        )}
        {creating && <NewChannel onDone={() => setCreating(false)} />}
        {(test.isError || disable.isError) && <p className="error-text">{(test.error ?? disable.error)!.message}</p>}
        <QueryState query={channels} what="channels" isEmpty={(c) => c.length === 0} empty="No channels yet.">
          {(rows) => (
            <DataTable
              label="Channels"
              rows={rows}
              rowKey={(c) => c.channel_id}
              columns={[
                { header: "Name", cell: (c) => c.name },
                { header: "Team", cell: (c) => c.team_id },
                { header: "Kind", cell: (c) => c.kind },
                { header: "Target", cell: (c) => c.target ?? "—" },
                {
                  header: "State",
                  cell: (c) =>
                    c.disabled ? <span className="pill failed">disabled: {c.disabled_reason}</span> : <span className="pill succeeded">enabled</span>,
                },
                {
                  header: "",
                  cell: (c) =>
                    can(me, "alerts:manage", c.team_id) && (
                      <span className="actions">
                        <button type="button" onClick={() => test.mutate(c.channel_id)} disabled={c.disabled}>
                          Send test
                        </button>
                        {!c.disabled && (
                          <button type="button" onClick={() => disable.mutate(c.channel_id)}>
                            Disable
                          </button>
                        )}
                        {tested[c.channel_id] && <span className="muted" role="status">{tested[c.channel_id]}</span>}
                      </span>
                    ),
                },
              ]}
            />
          )}
        </QueryState>
      </section>
      <Subscriptions channels={channels.data ?? []} />
      <Deliveries channels={channels.data ?? []} />
    </div>
  );
}
