// Who is signed in and the API clients acting for them. Pages read it with useConsole().
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

import { createApi, data, type Api } from "../api/client";
import type { ConsoleConfig } from "../config";
import type { Me } from "./roles";
import { clearSession, loadSession, saveSession, type Session } from "./session";

interface ConsoleContext {
  config: ConsoleConfig;
  api: Api;
  session: Session | null;
  me: Me | null;
  teams: string[];
  signIn: (session: Session) => void;
  signOut: () => void;
}

const Context = createContext<ConsoleContext | null>(null);

export function ConsoleProvider({
  config,
  children,
  fetchImpl,
}: {
  config: ConsoleConfig;
  children: ReactNode;
  fetchImpl?: typeof fetch;
}) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(() => loadSession());

  const signOut = useCallback(() => {
    clearSession();
    setSession(null);
    queryClient.clear();
  }, [queryClient]);

  const signIn = useCallback(
    (next: Session) => {
      saveSession(next);
      queryClient.clear();
      setSession(next);
    },
    [queryClient],
  );

  const api = useMemo(
    () => createApi(config, () => session?.token ?? null, signOut, fetchImpl),
    [config, session, signOut, fetchImpl],
  );

  const meQuery = useQuery({
    queryKey: ["me", session?.token],
    enabled: session !== null,
    queryFn: async () => (await data(api.registry.GET("/v1/auth/me"))) as Me,
  });
  const teamsQuery = useQuery({
    queryKey: ["teams", session?.token],
    enabled: session !== null,
    queryFn: async () => {
      const page = await data(api.registry.GET("/v1/teams", { params: { query: { limit: 500 } } }));
      return page.items.map((t) => t.team_id);
    },
  });

  const value: ConsoleContext = {
    config,
    api,
    session,
    me: meQuery.data ?? null,
    teams: teamsQuery.data ?? [],
    signIn,
    signOut,
  };
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useConsole(): ConsoleContext {
  const value = useContext(Context);
  if (!value) throw new Error("useConsole outside ConsoleProvider");
  return value;
}

/** For pages behind sign-in: `me` is known there. */
export function useMe(): Me {
  const { me } = useConsole();
  if (!me) throw new Error("useMe before /v1/auth/me answered");
  return me;
}
