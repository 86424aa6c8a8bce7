"""`emg superset user add|list`: the dashboards' readers' logins, through Superset's users API.

A login holds one of the roles of superset/roles.yml: `leader`, or `bdr` together with the BDR's
own role `bdr:<bdr_id>` (roles.py), whose row-level security shows that BDR's rows. The BDR must
be one of marts.dim_bdrs. A password not given is generated, printed once and stored nowhere but
in Superset (as its hash). Adding a login that exists gives it the role and password anew.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from emg import warehouse as wh
from emg.errors import EmgError
from emg.paths import project_dir
from emg.superset.api import Superset
from emg.superset.instance import ADMIN_USER
from emg.superset.roles import BDR_ROLE, LEADER_ROLE, bdr_role, ensure_bdr_role, role_ids

ROLES = (LEADER_ROLE, BDR_ROLE)
EMAIL_DOMAIN = "emg.invalid"  # Superset wants an e-mail address; logins here have none
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


@dataclass(frozen=True)
class Added:
    name: str
    roles: tuple[str, ...]
    password: str | None  # the generated one, to print once; None when it was given
    created: bool


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def dim_bdrs() -> dict[str, str]:
    """bdr_id -> bdr_name from marts.dim_bdrs."""
    current = wh.settings()
    conn = wh.connect(current)
    try:
        with conn.cursor() as cur:
            cur.execute("select to_regclass('marts.dim_bdrs') is not null")
            if not cur.fetchone()[0]:
                raise EmgError(
                    f"marts.dim_bdrs is not built in {current.describe()}; run `emg build`"
                )
            cur.execute("select bdr_id, bdr_name from marts.dim_bdrs order by bdr_name, bdr_id")
            return dict(cur.fetchall())
    finally:
        conn.close()


def check(name: str, role: str, bdr_id: str | None) -> str:
    """One-line errors before Superset is asked: the name, and --bdr-id going with --role bdr
    and naming a BDR of dim_bdrs. Returns how the login is labelled (the BDR's name)."""
    if not _NAME.match(name):
        raise EmgError(
            f"user name {name!r}: letters, digits and . _ @ - only, starting with a letter or digit"
        )
    if name == ADMIN_USER:
        raise EmgError(f"{ADMIN_USER} is Superset's administrator (SUPERSET_ADMIN_PASSWORD)")
    if role == LEADER_ROLE:
        if bdr_id is not None:
            raise EmgError("--bdr-id goes with --role bdr; a leader reads every BDR's rows")
        return "leader"
    bdrs = dim_bdrs()
    known = "; ".join(f"{key} ({label})" for key, label in bdrs.items()) or "none"
    if bdr_id is None:
        raise EmgError(f"--role bdr needs --bdr-id, the BDR's bdr_id in marts.dim_bdrs: {known}")
    if bdr_id not in bdrs:
        raise EmgError(f"--bdr-id {bdr_id!r} is not a BDR in marts.dim_bdrs; its BDRs: {known}")
    return bdrs[bdr_id]


def find_user(api: Superset, name: str) -> dict | None:
    rows = api.list_all("security/users", ["id", "username"])
    return next((row for row in rows if row["username"] == name), None)


def add_user(
    api: Superset,
    name: str,
    role: str,
    bdr_id: str | None = None,
    password: str | None = None,
    label: str = "",
) -> Added:
    """Create the login, or give an existing one this role and password (after `check`)."""
    known = role_ids(api)
    missing = [r for r in ROLES if r not in known]
    if missing:
        raise EmgError(f"Superset has no role {', '.join(missing)}; run `emg superset start`")
    names = [role]
    ids = [known[role]]
    if role == BDR_ROLE:
        names.append(bdr_role(bdr_id))
        ids.append(ensure_bdr_role(api, project_dir(), bdr_id))
    generated = None if password else generate_password()
    secret = password or generated
    existing = find_user(api, name)
    if existing is None:
        api.create(
            "/api/v1/security/users/",
            {
                "username": name,
                "first_name": name,
                "last_name": label or role,
                "email": f"{name}@{EMAIL_DOMAIN}",
                "active": True,
                "roles": ids,
                "password": secret,
            },
        )
    else:
        api.put(
            f"/api/v1/security/users/{existing['id']}",
            {"roles": ids, "password": secret, "active": True, "last_name": label or role},
        )
    return Added(name=name, roles=tuple(names), password=generated, created=existing is None)


def describe(added: Added) -> list[str]:
    roles = ", ".join(added.roles)
    if added.created:
        lines = [f"added user {added.name} with roles {roles}"]
    else:
        lines = [f"updated user {added.name}: its roles are now {roles}, its password replaced"]
    if added.password:
        lines.append(f"generated password (shown once, kept nowhere): {added.password}")
    return lines


def list_users(api: Superset) -> list[str]:
    """One line per login: name, roles, last login."""
    rows = api.list_all("security/users", ["username", "roles.name", "active", "last_login"])
    lines = []
    for row in sorted(rows, key=lambda r: r["username"]):
        roles = ", ".join(sorted(role["name"] for role in row["roles"])) or "no role"
        state = "" if row["active"] else " (inactive)"
        last = (row.get("last_login") or "never")[:16].replace("T", " ")
        lines.append(f"{row['username']}{state}: {roles}; last login {last}")
    return lines
