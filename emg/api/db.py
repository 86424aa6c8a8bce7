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

import threading
from contextlib import contextmanager

from psycopg2.extras import RealDictCursor
from psycopg2.pool import ThreadedConnectionPool

from emg import warehouse as wh
from emg.api import instance
from emg.api import queries as q

MAX_CONNECTIONS = 8


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

    def rows(self, sql: str, params: dict) -> list[dict]:
        with self.cursor() as cur:
            cur.execute(sql, params)
            return [dict(row) for row in cur.fetchall()]

    def as_of(self) -> dict[str, str]:
        """The instant (UTC, ISO) and local date the marts are built as of."""
        with self.cursor() as cur:
            cur.execute(q.AS_OF)
            row = cur.fetchone()
        if row is None:
            return {"as_of": "", "as_of_date": ""}
        return {
            "as_of": row["as_of"].isoformat() + "Z",
            "as_of_date": row["as_of_date"].isoformat(),
        }

    def known_bdrs(self, bdrs: tuple[str, ...]) -> set[str]:
        with self.cursor() as cur:
            cur.execute(q.KNOWN_BDRS, {"bdrs": list(bdrs)})
            return {row["bdr_id"] for row in cur.fetchall()}
