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

from emg import warehouse as wh
from emg.superset.instance import READER_ROLE, reader_password
from emg.warehouse.logins import ensure_login_role

# The NOLOGIN roles the dbt build creates and grants; Superset's login is a member of each.
GROUP_ROLES = ("reporting_reader", "audit_reader")
MASK = "XXXXXXXXXX"  # Superset's own placeholder for a password it is given separately


def ensure_reader_role(role: str = READER_ROLE) -> str:
    """Create or align Superset's login role (idempotent); say what happened in one line."""
    return ensure_login_role(role, reader_password(), GROUP_ROLES)


def sqlalchemy_uri(masked: bool = True, role: str = READER_ROLE) -> str:
    """The URI Superset connects with; the password masked unless asked for (never log that)."""
    current = wh.settings()
    password = MASK if masked else quote(reader_password(), safe="")
    return (
        f"postgresql+psycopg2://{role}:{password}@{current.host}:{current.port}/"
        f"{quote(current.dbname, safe='')}"
    )
