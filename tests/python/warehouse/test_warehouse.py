"""`emg warehouse start|stop|status|env` against a real embedded PostgreSQL of its own."""

from __future__ import annotations

import os
import shlex
import socket
import stat
import subprocess

import psycopg2
import pytest
from conftest import run_emg

from emg.warehouse.embedded import postgres_bin

PORT = "54351"


@pytest.fixture()
def own_warehouse(tmp_path):
    """Environment for a warehouse that this test alone starts and stops."""
    env = {"EMG_STATE_DIR": str(tmp_path / "state"), "EMG_PG_PORT": PORT}
    yield env
    run_emg("warehouse", "stop", env=env, check=False)


def assert_one_line_error(result, *fragments: str) -> None:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def parse_exports(text: str) -> dict[str, str]:
    env = {}
    for line in text.splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
    return env


def test_start_status_env_stop_round_trip(own_warehouse):
    started = run_emg("warehouse", "start", env=own_warehouse)
    assert "started" in started.stdout

    again = run_emg("warehouse", "start", env=own_warehouse)
    assert "already running" in again.stdout

    status = run_emg("warehouse", "status", env=own_warehouse)
    assert f"127.0.0.1:{PORT}" in status.stdout and "running" in status.stdout

    exported = parse_exports(run_emg("warehouse", "env", env=own_warehouse).stdout)
    assert exported == {
        "PGHOST": "127.0.0.1",
        "PGPORT": PORT,
        "PGUSER": "postgres",
        "PGDATABASE": "emg",
        "PGPASSFILE": own_warehouse["EMG_STATE_DIR"] + "/pgpass",
    }
    conn = psycopg2.connect(
        host=exported["PGHOST"],
        port=exported["PGPORT"],
        user=exported["PGUSER"],
        dbname=exported["PGDATABASE"],
        passfile=exported["PGPASSFILE"],
    )
    with conn, conn.cursor() as cur:
        cur.execute("select current_database(), inet_server_port()")
        assert cur.fetchone() == ("emg", int(PORT))
    conn.close()

    # After `eval "$(emg warehouse env)"` the CLI still knows this is its own server.
    evaluated = run_emg("warehouse", "status", env={**own_warehouse, **exported})
    assert "embedded warehouse running" in evaluated.stdout

    stopped = run_emg("warehouse", "stop", env=own_warehouse)
    assert "stopped" in stopped.stdout
    after = run_emg("warehouse", "status", env=own_warehouse, check=False)
    assert after.returncode == 3 and "stopped" in after.stdout
    assert "not running" in run_emg("warehouse", "stop", env=own_warehouse).stdout


def test_unix_socket_is_served(own_warehouse):
    run_emg("warehouse", "start", env=own_warehouse)
    status = run_emg("warehouse", "status", env=own_warehouse).stdout
    socket_dir = status.split("socket ")[1].split(",")[0]
    passfile = own_warehouse["EMG_STATE_DIR"] + "/pgpass"
    conn = psycopg2.connect(
        host=socket_dir, port=PORT, user="postgres", dbname="emg", passfile=passfile
    )
    with conn, conn.cursor() as cur:
        cur.execute("select inet_server_addr() is null")  # null over a unix socket
        assert cur.fetchone() == (True,)
    conn.close()


def test_port_already_taken_is_one_clear_line(own_warehouse):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        taken = str(blocker.getsockname()[1])
        result = run_emg(
            "warehouse", "start", env={**own_warehouse, "EMG_PG_PORT": taken}, check=False
        )
    assert_one_line_error(result, f"port {taken}", "already in use", "EMG_PG_PORT")


def test_a_stale_pid_file_left_by_a_crash_is_recovered_by_start(own_warehouse, tmp_path):
    run_emg("warehouse", "start", env=own_warehouse)
    run_emg("warehouse", "stop", env=own_warehouse)
    pid_file = tmp_path / "state" / "pgdata" / "postmaster.pid"
    pid_file.write_text("4194000\n/nowhere\n0\n0\n\n\n\nready\n")

    status = run_emg("warehouse", "status", env=own_warehouse, check=False)
    assert status.returncode == 3 and "stale pid file" in status.stdout
    assert "started" in run_emg("warehouse", "start", env=own_warehouse).stdout


def test_stop_clears_a_stale_pid_file(own_warehouse, tmp_path):
    run_emg("warehouse", "start", env=own_warehouse)
    run_emg("warehouse", "stop", env=own_warehouse)
    (tmp_path / "state" / "pgdata" / "postmaster.pid").write_text("4194000\n")
    assert "stale pid file" in run_emg("warehouse", "stop", env=own_warehouse).stdout


# --- nobody else gets in -------------------------------------------------------------------

OTHER_USER = "nobody"


def _connect_as_other_os_user(host: str, user: str) -> subprocess.CompletedProcess:
    """The warehouse's own psql, run by another OS user with no password file (-w: never
    prompt). It lies where the server's own user can reach it, so that user can too."""
    return subprocess.run(
        [
            postgres_bin("psql"),
            "-w",
            "-h",
            host,
            "-p",
            PORT,
            "-U",
            user,
            "-d",
            "emg",
            "-c",
            "select 1",
        ],
        user=OTHER_USER,
        env={"PATH": "/usr/bin:/bin", "HOME": "/"},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another OS user needs root")
def test_another_os_user_cannot_connect_as_any_role_on_tcp_or_the_socket(own_warehouse):
    run_emg("warehouse", "start", env=own_warehouse)
    status = run_emg("warehouse", "status", env=own_warehouse).stdout
    socket_dir = status.split("socket ")[1].split(",")[0]
    for host in ("127.0.0.1", socket_dir):
        for user in ("postgres", "reporting_reader", OTHER_USER):
            result = _connect_as_other_os_user(host, user)
            assert result.returncode != 0, (host, user, result.stdout)
            if host == "127.0.0.1":  # the socket's folder is closed to them anyway
                assert "password" in result.stderr, (host, user, result.stderr)


def test_pg_hba_requires_a_password_for_every_connection(own_warehouse, tmp_path):
    run_emg("warehouse", "start", env=own_warehouse)
    rules = [
        line.split()
        for line in (tmp_path / "state" / "pgdata" / "pg_hba.conf").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules and all(rule[-1] == "scram-sha-256" for rule in rules), rules


def test_nothing_in_the_state_folder_is_readable_by_other_users(own_warehouse, tmp_path):
    run_emg("warehouse", "start", env=own_warehouse)
    state = tmp_path / "state"
    (state / "left-by-an-old-version.txt").write_text("secret")
    (state / "left-by-an-old-version.txt").chmod(0o644)
    run_emg("warehouse", "start", env=own_warehouse)  # running already: still tightens
    assert stat.S_IMODE(state.stat().st_mode) & 0o066 == 0
    for path in state.rglob("*"):
        if "pgdata" in path.relative_to(state).parts[:1] or path.is_socket():
            continue
        assert stat.S_IMODE(path.lstat().st_mode) & 0o077 == 0, path
    assert stat.S_IMODE((state / "pgdata").stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "pgpass").stat().st_mode) == 0o600


def test_a_data_folder_from_before_passwords_is_secured_without_losing_data(
    own_warehouse, tmp_path
):
    run_emg("warehouse", "start", env=own_warehouse)
    state = tmp_path / "state"
    exported = parse_exports(run_emg("warehouse", "env", env=own_warehouse).stdout)
    conn = psycopg2.connect(
        host="127.0.0.1", port=PORT, user="postgres", dbname="emg", passfile=exported["PGPASSFILE"]
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("create table kept (n int); insert into kept values (42)")
    conn.close()
    run_emg("warehouse", "stop", env=own_warehouse)
    # what an earlier version left: a `trust` pg_hba.conf and no password files
    hba = state / "pgdata" / "pg_hba.conf"
    subprocess.run(
        ["sh", "-c", f"printf 'local all all trust\\nhost all all 127.0.0.1/32 trust\\n' > {hba}"],
        user=hba.owner(),
        check=True,
    )
    (state / "pgpass").unlink()
    (state / "warehouse_password").unlink()

    run_emg("warehouse", "start", env=own_warehouse)
    assert "scram-sha-256" in hba.read_text() and "trust" not in hba.read_text()
    conn = psycopg2.connect(
        host="127.0.0.1", port=PORT, user="postgres", dbname="emg", passfile=str(state / "pgpass")
    )
    with conn, conn.cursor() as cur:
        cur.execute("select n from kept")
        assert cur.fetchone() == (42,)
    conn.close()
    with pytest.raises(psycopg2.OperationalError, match="password"):
        psycopg2.connect(
            host="127.0.0.1", port=PORT, user="postgres", dbname="emg", passfile="/nonexistent"
        )


def test_pg_variables_select_an_external_server_and_start_nothing(warehouse, tmp_path):
    # The suite's own warehouse plays "your Postgres": reached through PG* variables only.
    env = {
        "EMG_STATE_DIR": str(tmp_path / "untouched"),
        "EMG_PG_PORT": PORT,
        "PGHOST": warehouse.host,
        "PGPORT": str(warehouse.port),
        "PGUSER": warehouse.user,
        "PGDATABASE": warehouse.dbname,
        "PGPASSFILE": warehouse.passfile,  # how any server's password reaches libpq
    }
    started = run_emg("warehouse", "start", env=env)
    assert "external warehouse" in started.stdout and "nothing to start" in started.stdout
    assert not (tmp_path / "untouched" / "pgdata").exists()
    assert "reachable" in run_emg("warehouse", "status", env=env).stdout
    assert_one_line_error(run_emg("warehouse", "stop", env=env, check=False), "not emg's")


def test_unreachable_external_server_is_one_clear_line(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = str(probe.getsockname()[1])
    env = {"EMG_STATE_DIR": str(tmp_path), "PGHOST": "127.0.0.1", "PGPORT": free_port}
    result = run_emg("warehouse", "summary", env=env, check=False)
    assert_one_line_error(result, "cannot reach the warehouse", "PGHOST")


def test_password_never_printed(tmp_path):
    env = {
        "EMG_STATE_DIR": str(tmp_path),
        "PGHOST": "db.example.internal",
        "PGPASSWORD": "s3cret-value",
    }
    result = run_emg("warehouse", "env", env=env)
    assert "s3cret-value" not in result.stdout + result.stderr
    assert "export PGHOST=db.example.internal" in result.stdout
