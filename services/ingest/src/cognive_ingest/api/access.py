"""Which teams' data a caller may read: an API key its own team; a person the teams they
hold a role in (viewer and up); an org-wide role every team."""

from __future__ import annotations

from cognive_runtime.auth import ApiKeyPrincipal, Principal, UserPrincipal
from cognive_runtime.problems import ProblemError, problem_type


def readable_teams(principal: Principal, requested: str | None) -> list[str] | None:
    """The team filter to apply to a listing (None: every team). Asking for a team the
    caller cannot read is a 403, not an empty page."""
    if isinstance(principal, ApiKeyPrincipal):
        teams: list[str] | None = [principal.team_id]
    elif principal.org_role is not None:
        teams = None
    else:
        teams = sorted({binding.team_id for binding in principal.roles})
    if requested is None:
        return teams
    if teams is not None and requested not in teams:
        raise ProblemError(
            status=403,
            title="Forbidden",
            detail=f"no access to team {requested}",
            type=problem_type("forbidden"),
        )
    return [requested]


def can_read(principal: Principal, team_id: str | None) -> bool:
    if team_id is not None:
        return principal.can_access_team(team_id)
    # Data of no team (none is written today) is for org-wide roles only.
    return isinstance(principal, UserPrincipal) and principal.org_role is not None
