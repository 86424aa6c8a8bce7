"""Which warehouse this process talks to (the embedded one, or yours through PG*
variables), and a connection to it, with libpq's variables and a row count per table."""

from __future__ import annotations

import hashlib
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

import psycopg2
from psycopg2 import sql

from emg import settings as config
from emg.errors import EmgError
from emg.paths import state_dir

DEFAULT_PORT = 54329
EMBEDDED_HOST = "127.0.0.1"
EMBEDDED_USER = "postgres"
DATABASE = "emg"
LIBPQ_VARS = ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE")


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    user: str
    dbname: str
    password: str | None
    embedded: bool
    passfile: str | None = None  # the embedded server's libpq password file

    def describe(self) -> str:
        """Where the warehouse is, without the password."""
        return f"{self.user}@{self.host}:{self.port}/{self.dbname}"

    def libpq_env(self) -> dict[str, str]:
        env = {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGDATABASE": self.dbname,
        }
        if self.password:
            env["PGPASSWORD"] = self.password
        if self.passfile:
            env["PGPASSFILE"] = self.passfile
        return env


def embedded_port() -> int:
    return config.port("EMG_PG_PORT", DEFAULT_PORT)


def pgdata_dir() -> Path:
    return state_dir() / "pgdata"


def socket_dir() -> Path:
    """The data folder, unless its path is too long for a unix socket name (108 bytes)."""
    data = pgdata_dir()
    if len(str(data / f".s.PGSQL.{embedded_port()}")) < 100:
        return data
    digest = hashlib.sha256(str(data).encode()).hexdigest()[:10]
    return Path("/tmp") / f"emg-pg-{digest}"


def password_file() -> Path:
    """The embedded owner's password, generated once (0600)."""
    return state_dir() / "warehouse_password"


def pgpass_file() -> Path:
    """libpq's password file for the embedded server (0600): PGPASSFILE points here."""
    return state_dir() / "pgpass"


def _write_pgpass(port: int, password: str) -> Path:
    """One line per way in: TCP by address or by name, and the socket by its folder."""

    def escaped(text: str) -> str:
        return text.replace("\\", "\\\\").replace(":", "\\:")

    hosts = (EMBEDDED_HOST, "localhost", str(socket_dir()))
    lines = [f"{escaped(host)}:{port}:*:{EMBEDDED_USER}:{escaped(password)}\n" for host in hosts]
    path = pgpass_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(lines)
    path.chmod(0o600)  # libpq ignores a password file others can read
    return path


def _points_at_embedded(env: dict[str, str]) -> bool:
    host = env.get("PGHOST")
    port = env.get("PGPORT")
    host_ok = host is None or host in (EMBEDDED_HOST, "localhost", str(socket_dir()))
    port_ok = port is None or port == str(embedded_port())
    return host_ok and port_ok and env.get("PGDATABASE", DATABASE) == DATABASE


def settings(env: dict[str, str] | None = None) -> Settings:
    """The warehouse this process talks to, from the environment."""
    env = config.environment() if env is None else dict(env)
    configured = any(env.get(name) for name in ("PGHOST", "PGPORT", "PGDATABASE"))
    if configured and not _points_at_embedded(env):
        try:
            port = int(env.get("PGPORT") or 5432)
        except ValueError:
            raise EmgError(f"PGPORT={env['PGPORT']!r} is not a port number") from None
        return Settings(
            host=env.get("PGHOST") or "localhost",
            port=port,
            user=env.get("PGUSER") or env.get("USER") or "postgres",
            dbname=env.get("PGDATABASE") or env.get("PGUSER") or "postgres",
            password=env.get("PGPASSWORD") or None,
            embedded=False,
        )
    return Settings(
        host=EMBEDDED_HOST,
        port=embedded_port(),
        user=EMBEDDED_USER,
        dbname=DATABASE,
        password=None,
        embedded=True,
        passfile=str(pgpass_file()),
    )


def connect(current: Settings | None = None, **kwargs):
    """A psycopg2 connection to the warehouse, or a one-line error saying how to get one."""
    current = current or settings()
    try:
        return psycopg2.connect(
            host=current.host,
            port=current.port,
            user=current.user,
            dbname=current.dbname,
            password=current.password,
            passfile=current.passfile,
            connect_timeout=10,
            **{"application_name": "emg", **kwargs},
        )
    except psycopg2.OperationalError as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else "no answer"
        hint = (
            "run `emg warehouse start`"
            if current.embedded
            else "check PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE"
        )
        raise EmgError(
            f"cannot reach the warehouse at {current.describe()} ({first_line}); {hint}"
        ) from None


def env_lines() -> list[str]:
    """`export PG...=...` lines for the configured warehouse; never the password (the
    embedded one's is in the password file PGPASSFILE names)."""
    current = settings()
    env = current.libpq_env()
    env.pop("PGPASSWORD", None)
    lines = [f"export {name}={shlex.quote(value)}" for name, value in env.items()]
    if current.password:
        lines.append("# PGPASSWORD is taken from your environment; it is not printed")
    return lines


def table_counts(schemas: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(schema, relation, rows) for every table and view in the given schemas."""
    conn = connect()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema = any(%s) order by 1, 2",
                (list(schemas),),
            )
            relations = cur.fetchall()
            counts = []
            for schema, name in relations:
                cur.execute(
                    sql.SQL("select count(*) from {}.{}").format(
                        sql.Identifier(schema), sql.Identifier(name)
                    )
                )
                counts.append((schema, name, cur.fetchone()[0]))
            return counts
    finally:
        conn.close()
