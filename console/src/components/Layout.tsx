import { NavLink, Outlet } from "react-router-dom";

import { useConsole } from "../auth/context";
import { isOrgAdmin, teamsWith } from "../auth/roles";
import { displayClaims } from "../auth/session";

const PAGES: [string, string][] = [
  ["/", "Overview"],
  ["/costs", "Cost trends"],
  ["/agents", "Agents"],
  ["/runs", "Runs"],
  ["/budgets", "Budgets"],
  ["/alerts", "Alerts"],
  ["/admin", "Admin"],
];

export function Layout() {
  const { me, teams, session, signOut } = useConsole();
  const claims = session ? displayClaims(session.token) : {};
  const roleText = me
    ? isOrgAdmin(me)
      ? "organisation admin"
      : me.org_role
        ? `organisation ${me.org_role}`
        : me.roles.map((r) => `${r.role} in ${r.team_id}`).join(", ") || "no roles"
    : "";
  const leads = me ? teamsWith(me, "team_lead", teams).length > 0 : false;
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Cognive</div>
        {PAGES.filter(([path]) => path !== "/admin" || leads || (me && isOrgAdmin(me))).map(
          ([path, label]) => (
            <NavLink key={path} to={path} end={path === "/"}>
              {label}
            </NavLink>
          ),
        )}
      </nav>
      <div className="main">
        <header className="topbar">
          <span className="who" data-testid="who">
            {claims.email ?? claims.name ?? me?.subject} · {roleText}
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </header>
        <main>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
