"""Login roles for the programs that read the warehouse (Superset, the reporting API): a LOGIN
role made a member of NOLOGIN roles the dbt build creates and grants (`reporting_reader`: the
marts and nothing else; `audit_reader`: the audit views). A program never connects as the
warehouse's owner; its password is generated once into the state folder.
"""

from __future__ import annotations

from psycopg2 import errors, sql

from emg import warehouse as wh
from emg.errors import EmgError


def ensure_login_role(role: str, password: str, groups: tuple[str, ...]) -> str:
    """Create or align the login role, a member of `groups` (idempotent); one line on what
    happened."""
    current = wh.settings()
    conn = wh.connect(current)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select rolname from pg_roles where rolname = any(%s)", (list(groups),))
            present = {name for (name,) in cur.fetchall()}
            missing = [name for name in groups if name not in present]
            if missing:
                raise EmgError(
                    f"role {', '.join(missing)} does not exist in {current.describe()}: "
                    "run `emg build` first (it creates the roles and grants them what they read)"
                )
            cur.execute("select 1 from pg_roles where rolname = %s", (role,))
            existed = cur.fetchone() is not None
            verb = "alter" if existed else "create"
            statement = sql.SQL(
                "{verb} role {role} login nosuperuser nocreatedb nocreaterole password {pw}"
            ).format(verb=sql.SQL(verb), role=sql.Identifier(role), pw=sql.Literal(password))
            try:
                cur.execute(statement)
                for group in groups:
                    cur.execute(
                        sql.SQL("grant {} to {}").format(
                            sql.Identifier(group), sql.Identifier(role)
                        )
                    )
            except errors.InsufficientPrivilege:
                raise EmgError(
                    f"{current.user} may not create or grant roles; ask a DBA to run: "
                    f"create role {role} login password '...' in role {', '.join(groups)}"
                ) from None
    finally:
        conn.close()
    members = " and ".join(groups)
    return f"warehouse login {role} (member of {members}) {'kept' if existed else 'created'}"
