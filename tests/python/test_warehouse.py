"""`emg warehouse start|stop|status|env` against a real embedded PostgreSQL of its own."""

from __future__ import annotations

import shlex
import socket

import psycopg2
import pytest
from conftest import run_emg

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
    }
    conn = psycopg2.connect(
        host=exported["PGHOST"],
        port=exported["PGPORT"],
        user=exported["PGUSER"],
        dbname=exported["PGDATABASE"],
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
    conn = psycopg2.connect(host=socket_dir, port=PORT, user="postgres", dbname="emg")
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


def test_stale_pid_file_is_one_clear_line_and_stop_clears_it(own_warehouse, tmp_path):
    run_emg("warehouse", "start", env=own_warehouse)
    run_emg("warehouse", "stop", env=own_warehouse)
    pid_file = tmp_path / "state" / "pgdata" / "postmaster.pid"
    pid_file.write_text("4194000\n/nowhere\n0\n0\n\n\n\nready\n")

    result = run_emg("warehouse", "start", env=own_warehouse, check=False)
    assert_one_line_error(result, "stale pid file", "emg warehouse stop")

    cleared = run_emg("warehouse", "stop", env=own_warehouse)
    assert "stale pid file" in cleared.stdout
    assert "started" in run_emg("warehouse", "start", env=own_warehouse).stdout


def test_pg_variables_select_an_external_server_and_start_nothing(warehouse, tmp_path):
    # The suite's own warehouse plays "your Postgres": reached through PG* variables only.
    env = {
        "EMG_STATE_DIR": str(tmp_path / "untouched"),
        "EMG_PG_PORT": PORT,
        "PGHOST": warehouse.host,
        "PGPORT": str(warehouse.port),
        "PGUSER": warehouse.user,
        "PGDATABASE": warehouse.dbname,
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
