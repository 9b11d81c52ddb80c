// Queries several pages share.
import { useQuery } from "@tanstack/react-query";

import { useConsole } from "../auth/context";
import { data } from "./client";

/** agent_id → name, for labelling cost groups, runs and blocks. */
export function useAgentNames(): Map<string, string> {
  const { api } = useConsole();
  const query = useQuery({
    queryKey: ["agents", "names"],
    queryFn: async () => {
      const page = await data(api.registry.GET("/v1/agents", { params: { query: { limit: 500 } } }));
      return new Map(page.items.map((a) => [a.agent_id, a.name]));
    },
  });
  return query.data ?? new Map();
}

export function useBudgets(withStatus = true) {
  const { api } = useConsole();
  return useQuery({
    queryKey: ["budgets", withStatus],
    queryFn: async () =>
      (
        await data(
          api.budget.GET("/v1/budgets", { params: { query: { with_status: withStatus, limit: 500 } } }),
        )
      ).items,
    refetchInterval: 10_000,
  });
}
