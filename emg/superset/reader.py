"""The warehouse login Superset reads with: a LOGIN role that is a member of the NOLOGIN roles
`reporting_reader` (which the dbt build creates and lets read the marts and nothing else) and
`audit_reader` (created by the same build, reads the audit views of the data-quality dashboard
and nothing else). Analysts are members of reporting_reader alone: the audit views hold raw
rows, rejected ones included, which analysts do not read.

Superset never connects as the warehouse's owner. The role's password is generated once into
the state folder and checked like every login's (the embedded warehouse asks every connection
for a password; so does a server of your own, as its pg_hba.conf says).
"""

from __future__ import annotations

from urllib.parse import quote

from psycopg2 import errors, sql

from emg import warehouse as wh
from emg.errors import EmgError
from emg.superset.instance import READER_ROLE, reader_password

# The NOLOGIN roles the dbt build creates and grants; Superset's login is a member of each.
GROUP_ROLES = ("reporting_reader", "audit_reader")
MASK = "XXXXXXXXXX"  # Superset's own placeholder for a password it is given separately


def ensure_reader_role(role: str = READER_ROLE) -> str:
    """Create or align the login role (idempotent); say what happened in one line."""
    current = wh.settings()
    conn = wh.connect(current)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(
                "select rolname from pg_roles where rolname = any(%s)", (list(GROUP_ROLES),)
            )
            present = {name for (name,) in cur.fetchall()}
            missing = [name for name in GROUP_ROLES if name not in present]
            if missing:
                raise EmgError(
                    f"role {', '.join(missing)} does not exist in {current.describe()}: "
                    "run `emg build` first (it creates the roles and grants them the marts "
                    "and the audit views)"
                )
            cur.execute("select 1 from pg_roles where rolname = %s", (role,))
            existed = cur.fetchone() is not None
            verb = "alter" if existed else "create"
            statement = sql.SQL(
                "{verb} role {role} login nosuperuser nocreatedb nocreaterole password {pw}"
            ).format(
                verb=sql.SQL(verb),
                role=sql.Identifier(role),
                pw=sql.Literal(reader_password()),
            )
            try:
                cur.execute(statement)
                for group in GROUP_ROLES:
                    cur.execute(
                        sql.SQL("grant {} to {}").format(
                            sql.Identifier(group), sql.Identifier(role)
                        )
                    )
            except errors.InsufficientPrivilege:
                raise EmgError(
                    f"{current.user} may not create or grant roles; ask a DBA to run: "
                    f"create role {role} login password '...' in role {', '.join(GROUP_ROLES)}"
                ) from None
    finally:
        conn.close()
    members = " and ".join(GROUP_ROLES)
    return f"warehouse login {role} (member of {members}) {'kept' if existed else 'created'}"


def sqlalchemy_uri(masked: bool = True, role: str = READER_ROLE) -> str:
    """The URI Superset connects with; the password masked unless asked for (never log that)."""
    current = wh.settings()
    password = MASK if masked else quote(reader_password(), safe="")
    return (
        f"postgresql+psycopg2://{role}:{password}@{current.host}:{current.port}/"
        f"{quote(current.dbname, safe='')}"
    )
