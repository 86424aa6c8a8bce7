"""The reporting API's connections to the warehouse: a pool of psycopg2 connections as the API's
own login role (`api_reader`, a member of `reporting_reader`), never as the owner. Every query
is read-only and takes bound parameters.

psycopg2's pool does not wait: asked for a connection while all MAX_CONNECTIONS are out, it
raises, and the API would answer 503 to the ninth of nine concurrent requests. A semaphore
makes a request wait for a connection instead (`emg bench --api` found it, at 10 clients).
And the pool keeps no more than its minimum of connections idle, closing any other it is
given back: the minimum is the maximum, so the API opens its connections once, not one per
request whenever two requests overlap (a new connection costs more than a cached answer)."""

from __future__ import annotations

import select
import threading
from collections.abc import Callable
from contextlib import contextmanager

import psycopg2
from psycopg2.extras import RealDictCursor
from psycopg2.pool import ThreadedConnectionPool

from emg import warehouse as wh
from emg.api import instance
from emg.api import queries as q

MAX_CONNECTIONS = 8
BUILD_CHANNEL = "emg_build_ended"  # the dbt project's on-run-end hook notifies it


class Database:
    def __init__(self, **connect_kwargs):
        self.connect_kwargs = connect_kwargs
        self._pool: ThreadedConnectionPool | None = None
        self._opening = threading.Lock()
        self._free = threading.BoundedSemaphore(MAX_CONNECTIONS)

    @classmethod
    def from_instance(cls) -> Database:
        current = wh.settings()
        return cls(
            host=current.host,
            port=current.port,
            dbname=current.dbname,
            user=instance.READER_ROLE,
            password=instance.reader_password(),
            application_name="emg-api",
            options="-c default_transaction_read_only=on -c statement_timeout=30000",
        )

    def pool(self) -> ThreadedConnectionPool:
        with self._opening:
            if self._pool is None:
                self._pool = ThreadedConnectionPool(
                    MAX_CONNECTIONS, MAX_CONNECTIONS, **self.connect_kwargs
                )  # fmt: skip
        return self._pool

    @contextmanager
    def cursor(self):
        with self._free:  # a connection is free once this is acquired
            pool = self.pool()
            conn = pool.getconn()
            broken = False
            try:
                conn.autocommit = True
                with conn.cursor(cursor_factory=RealDictCursor) as cur:
                    yield cur
            except Exception:
                broken = conn.closed != 0
                raise
            finally:
                pool.putconn(conn, close=broken)

    def _ask(self, sql: str, params: dict | None = None) -> list[dict]:
        """The query's rows. A pooled connection the warehouse has closed since its last use (a
        restart, an administrator's terminate) is dropped and the query asked once more on a
        new one; a second failure is the caller's (the API answers 503)."""
        for attempt in (1, 2):
            try:
                with self.cursor() as cur:
                    cur.execute(sql, params)
                    return [dict(row) for row in cur.fetchall()]
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
                if attempt == 2 or not _connection_lost(error):
                    raise
        raise AssertionError("unreachable")

    def rows(self, sql: str, params: dict) -> list[dict]:
        return self._ask(sql, params)

    def as_of(self) -> dict[str, str]:
        """The instant (UTC, ISO) and local date the marts are built as of."""
        rows = self._ask(q.AS_OF)
        if not rows:
            return {"as_of": "", "as_of_date": ""}
        return {
            "as_of": rows[0]["as_of"].isoformat() + "Z",
            "as_of_date": rows[0]["as_of_date"].isoformat(),
        }

    def known_bdrs(self, bdrs: tuple[str, ...]) -> set[str]:
        return {row["bdr_id"] for row in self._ask(q.KNOWN_BDRS, {"bdrs": list(bdrs)})}


def _connection_lost(error: psycopg2.Error) -> bool:
    """Whether the error is a connection the server closed (not a query it refused)."""
    if isinstance(error, psycopg2.InterfaceError):
        return True  # "connection already closed"
    return error.pgcode is None or error.pgcode.startswith("57P")  # admin shutdown / terminate


class BuildWatch:
    """The marts' as_of, held in memory and renewed when a build ends, so that a cached answer
    costs the warehouse nothing.

    A thread of its own holds one connection listening on BUILD_CHANNEL (the dbt project's
    on-run-end hook `announce_build` notifies it as a build commits). On each notice it calls
    `on_build` (the API drops its cached answers) and reads as_of again. `generation` counts
    the builds heard, so an answer computed while a build ran is never served after it.
    While the connection is down `as_of` is None: the API then asks the warehouse itself, on
    every request, until the thread has reconnected (every RETRY_SECONDS)."""

    RETRY_SECONDS = 2.0
    POLL_SECONDS = 5.0

    def __init__(self, db: Database, on_build: Callable[[], None]):
        self.db, self.on_build = db, on_build
        self.as_of: dict[str, str] | None = None
        self.generation = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="emg-build-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.POLL_SECONDS + 1)

    def _heard(self) -> None:
        self.generation += 1
        self.on_build()
        self.as_of = self.db.as_of()

    def _run(self) -> None:
        while not self._stop.is_set():
            conn = None
            try:
                conn = psycopg2.connect(**self.db.connect_kwargs)
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(f"listen {BUILD_CHANNEL}")
                self._heard()  # after LISTEN: a build ending from here on is heard
                while not self._stop.is_set():
                    if select.select([conn], [], [], self.POLL_SECONDS)[0]:
                        conn.poll()
                        if conn.notifies:
                            conn.notifies.clear()
                            self._heard()
            except psycopg2.Error:
                self.as_of = None  # the API asks the warehouse itself meanwhile
                self._stop.wait(self.RETRY_SECONDS)
            finally:
                if conn is not None:
                    conn.close()
