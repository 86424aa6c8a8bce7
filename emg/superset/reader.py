"""The warehouse login Superset reads with: a LOGIN role that is a member of the NOLOGIN role
`reporting_reader` (which the dbt build creates and lets read the marts and nothing else).

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

GROUP_ROLE = "reporting_reader"
MASK = "XXXXXXXXXX"  # Superset's own placeholder for a password it is given separately


def ensure_reader_role(role: str = READER_ROLE) -> str:
    """Create or align the login role (idempotent); say what happened in one line."""
    current = wh.settings()
    conn = wh.connect(current)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_roles where rolname = %s", (GROUP_ROLE,))
            if cur.fetchone() is None:
                raise EmgError(
                    f"role {GROUP_ROLE} does not exist in {current.describe()}: "
                    "run `emg build` first (it creates the role and grants it the marts)"
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
                cur.execute(
                    sql.SQL("grant {} to {}").format(
                        sql.Identifier(GROUP_ROLE), sql.Identifier(role)
                    )
                )
            except errors.InsufficientPrivilege:
                raise EmgError(
                    f"{current.user} may not create or grant roles; ask a DBA to run: "
                    f"create role {role} login password '...' in role {GROUP_ROLE}"
                ) from None
    finally:
        conn.close()
    return f"warehouse login {role} (member of {GROUP_ROLE}) {'kept' if existed else 'created'}"


def sqlalchemy_uri(masked: bool = True, role: str = READER_ROLE) -> str:
    """The URI Superset connects with; the password masked unless asked for (never log that)."""
    current = wh.settings()
    password = MASK if masked else quote(reader_password(), safe="")
    return (
        f"postgresql+psycopg2://{role}:{password}@{current.host}:{current.port}/"
        f"{quote(current.dbname, safe='')}"
    )
