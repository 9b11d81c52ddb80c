import { can, canAnywhere, roleIn, teamsWith, type Me } from "../src/auth/roles";

const person = (roles: Me["roles"], org_role: Me["org_role"] = null): Me => ({ subject: "user:x", kind: "user", roles, org_role });

test("an org-wide role applies to every team; a binding can raise it", () => {
  const me = person([{ team_id: "cx", role: "team_lead" }], "viewer");
  expect(roleIn(me, "cx")).toBe("team_lead");
  expect(roleIn(me, "search")).toBe("viewer");
  expect(roleIn(person([]), "cx")).toBeNull();
});

test("the console allows what the services allow (cognive_runtime.auth)", () => {
  const lead = person([{ team_id: "cx", role: "team_lead" }]);
  const viewer = person([{ team_id: "cx", role: "viewer" }]);
  const admin = person([], "admin");
  expect(can(lead, "budgets:manage", "cx")).toBe(true);
  expect(can(lead, "budgets:manage", "search")).toBe(false);
  expect(can(lead, "budgets:manage", null)).toBe(false); // organisation budgets: org admins
  expect(can(admin, "budgets:manage", null)).toBe(true);
  expect(can(viewer, "keys:manage", "cx")).toBe(false);
  expect(can(lead, "keys:manage", "cx")).toBe(true);
  expect(can(lead, "users:manage", null)).toBe(false);
  expect(can(admin, "audit:verify", null)).toBe(true);
  expect(canAnywhere(viewer, "alerts:manage", ["cx"])).toBe(false);
  expect(teamsWith(admin, "team_lead", ["cx", "search"])).toEqual(["cx", "search"]);
  expect(teamsWith(lead, "team_lead", ["cx", "search"])).toEqual(["cx"]);
});
