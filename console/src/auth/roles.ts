// What a signed-in person may do, decided from registry's /v1/auth/me the same way the
// services decide it (cognive_runtime.auth.principals): an org-wide role applies to every
// team; otherwise the person's binding to the team. The console only hides what the
// services would refuse; the services still enforce it.

export type Role = "viewer" | "developer" | "team_lead" | "admin";

export interface Me {
  subject: string;
  kind: string;
  org_role?: Role | null;
  roles: { team_id: string; role: Role }[];
}

const ORDER: Record<Role, number> = { viewer: 0, developer: 1, team_lead: 2, admin: 3 };

export function atLeast(role: Role | null | undefined, minimum: Role): boolean {
  return role !== null && role !== undefined && ORDER[role] >= ORDER[minimum];
}

export function roleIn(me: Me, teamId: string): Role | null {
  let best: Role | null = me.org_role ?? null;
  for (const binding of me.roles) {
    if (binding.team_id === teamId && !atLeast(best, binding.role)) best = binding.role;
  }
  return best;
}

export function isOrgAdmin(me: Me): boolean {
  return me.org_role === "admin";
}

/** Teams where the person holds at least `minimum` (all known teams for an org role). */
export function teamsWith(me: Me, minimum: Role, knownTeams: string[]): string[] {
  if (atLeast(me.org_role, minimum)) return knownTeams;
  return [...new Set(me.roles.filter((b) => atLeast(b.role, minimum)).map((b) => b.team_id))];
}

export type Action =
  | "budgets:manage"
  | "keys:manage"
  | "alerts:manage"
  | "users:manage"
  | "audit:verify";

/** Whether the person may do `action` in `teamId` (or org-wide when teamId is null). */
export function can(me: Me, action: Action, teamId: string | null): boolean {
  switch (action) {
    case "users:manage":
    case "audit:verify":
      return isOrgAdmin(me);
    case "budgets:manage":
      return teamId === null ? isOrgAdmin(me) : atLeast(roleIn(me, teamId), "team_lead");
    case "keys:manage":
    case "alerts:manage":
      return teamId !== null && atLeast(roleIn(me, teamId), "team_lead");
  }
}

/** Whether the person may do `action` in at least one team. */
export function canAnywhere(me: Me, action: Action, knownTeams: string[]): boolean {
  if (action === "users:manage" || action === "audit:verify") return isOrgAdmin(me);
  return isOrgAdmin(me) || teamsWith(me, "team_lead", knownTeams).length > 0;
}
