"""One build at a time in a warehouse, whoever starts it (`emg build`, Dagster, `emg bench`).

A PostgreSQL advisory lock, held by a connection of the builder for as long as dbt runs: it
lives in the warehouse itself, so it spans processes and machines, and it is released by the
server when its holder dies. The holder names itself in `application_name`, so a second
build can say which build it waits for.
"""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from emg import warehouse as wh
from emg.errors import EmgError

# pg_advisory_lock(int, int): a namespace of our own ("EMG" in ASCII) and the lock's number.
NAMESPACE = 0x454D47
BUILD = 1
POLL_SECONDS = 2.0
PREFIX = "emg build lock: "

_HOLDER = """
select activity.application_name, activity.pid, activity.backend_start
from pg_locks as locks
join pg_stat_activity as activity on activity.pid = locks.pid
where locks.locktype = 'advisory' and locks.granted
    and locks.classid = %s and locks.objid = %s and locks.objsubid = 2
"""


def holder(conn) -> str | None:
    """Who holds the build lock now, in words; None when nobody does."""
    with conn.cursor() as cur:
        cur.execute(_HOLDER, (NAMESPACE, BUILD))
        row = cur.fetchone()
    if row is None:
        return None
    name, pid, since = row
    who = name.removeprefix(PREFIX) if name else f"an unnamed session (backend pid {pid})"
    return f"{who}, since {since:%Y-%m-%d %H:%M:%S %Z}"


@contextmanager
def build_lock(
    who: str, wait_seconds: float = 0, say: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse's build lock for the block; wait up to `wait_seconds` for it, then
    refuse in one line naming the build that holds it."""
    conn = wh.connect(application_name=(PREFIX + who)[:63])
    conn.autocommit = True
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            with conn.cursor() as cur:
                cur.execute("select pg_try_advisory_lock(%s, %s)", (NAMESPACE, BUILD))
                if cur.fetchone()[0]:
                    break
            other = holder(conn) or "another build"
            if time.monotonic() >= deadline:
                raise EmgError(
                    f"another build is running in {wh.settings().describe()}: {other}; "
                    "try again when it ends, or wait for it with --wait SECONDS"
                )
            if say and not told:
                say(f"waiting for the build that holds the warehouse: {other}")
                told = True
            time.sleep(POLL_SECONDS)
        yield
    finally:
        conn.close()  # closing the session releases the lock


def cli_builder() -> str:
    """How a build started from the command line names itself."""
    return f"emg build by {getpass.getuser()} (pid {os.getpid()})"
