"""Shared fixtures: the suite runs against a real PostgreSQL, never a mock.

Without PG* variables the suite starts its own embedded warehouse (state in `.emg-test/`,
port EMG_TEST_PG_PORT, default 54339), so it never touches the demo warehouse. With PG*
variables set it uses that server (and replaces the crm, sales_ext and dbt schemas in it).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]
os.environ.setdefault("EMG_STATE_DIR", str(REPO / ".emg-test"))
os.environ.setdefault("EMG_PG_PORT", os.environ.get("EMG_TEST_PG_PORT", "54339"))
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

from emg import warehouse as wh  # noqa: E402  (after the environment is set)

EMG = str(Path(sys.executable).parent / "emg")

# Markers follow from the fixtures a test uses (pyproject.toml declares them): `make test-fast`
# runs what needs neither PostgreSQL nor Superset nor a browser, in seconds.
MARKED_BY_FIXTURE = {
    "warehouse": ("warehouse", "slow"),
    "own_warehouse": ("warehouse", "slow"),
    "superset_server": ("superset", "slow"),
    "browser": ("browser", "slow"),
    "browser_page": ("browser", "slow"),
    "api_server": ("warehouse", "slow"),
}


def pytest_collection_modifyitems(items):
    for item in items:
        for fixture, markers in MARKED_BY_FIXTURE.items():
            if fixture in item.fixturenames:
                for marker in markers:
                    item.add_marker(marker)


def run_emg(*args: str, check: bool = True, env: dict | None = None, timeout: int = 900):
    """Run the real `emg` console script; return the CompletedProcess (text output)."""
    result = subprocess.run(
        [EMG, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        cwd=REPO,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"emg {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        )
    return result


@pytest.fixture(scope="session")
def warehouse():
    """A running warehouse for the whole session; stopped again if the suite started it."""
    current = wh.settings()
    already_running = wh.status()[0]
    print(wh.start())
    if current.passfile:
        # What `eval "$(emg warehouse env)"` gives a shell: in-process Dagster runs dbt with
        # this process's environment, and dbt's libpq finds the password there.
        os.environ["PGPASSFILE"] = current.passfile
    yield current
    if current.embedded and not already_running:
        print(wh.stop())


@pytest.fixture()
def db(warehouse):
    """An autocommit connection to the warehouse."""
    conn = wh.connect(warehouse)
    conn.autocommit = True
    yield conn
    conn.close()


def query(conn, statement: str, params=None) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchall() if cur.description else []


# --- read-only roles: a login user standing for an analyst or Superset ----------------------


def login_member(admin, warehouse, user: str, group: str, password: str):
    """A connection as a new login user who is a member of `group` and nothing more."""
    drop_login(admin, user)
    query(admin, f"create role {user} login password '{password}'")
    query(admin, f"grant {group} to {user}")
    conn = wh.connect(dataclasses.replace(warehouse, user=user, password=password))
    conn.autocommit = True
    return conn


def drop_login(admin, user: str) -> None:
    """Drop a test's login user and whatever grants it was given (they survive builds)."""
    if query(admin, "select 1 from pg_roles where rolname = %s", (user,)):
        query(admin, f"drop owned by {user}")
        query(admin, f"drop role {user}")


def is_denied(conn, statement: str) -> bool:
    """Whether PostgreSQL refuses the statement for want of a privilege."""
    try:
        query(conn, statement)
    except psycopg2.errors.InsufficientPrivilege:
        return True
    return False


# The reporting API's own port (tests/python/api/), so a running demo API is never touched.
os.environ.setdefault("EMG_API_PORT", os.environ.get("EMG_TEST_API_PORT", "8097"))

# --- Superset (tests/python/superset_fixtures.py) ------------------------------------------
# Its own port and the suite's own state folder, so a running demo Superset is never touched.
os.environ.setdefault("EMG_SUPERSET_PORT", os.environ.get("EMG_TEST_SUPERSET_PORT", "8098"))

from superset_fixtures import (  # noqa: E402, F401  (registered here: one of each per session)
    browser,
    browser_page,
    rendered,
    rendered_as,
    superset_api,
    superset_data,
    superset_logins,
    superset_server,
)
