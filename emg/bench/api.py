"""`emg bench --api`: the reporting API under load at one scale, beside the same questions
computed live from the `crm` tables.

The bench starts the API (emg.api.server, as `emg api start` does) on the warehouse it has
just built, and stops it after: a fresh cache for each scale's data. For each endpoint, wrk
(wrk.py) sends requests for a few seconds at 1, 10 and 50 concurrent clients:

- cached: one request repeated (the first answer is computed, the rest come from the cache);
- uncached: each request's `from` a day earlier than the last, every one before the data
  begins, so each is a new cache entry while the SQL reads the same rows and the answer is
  the same bytes (checked here): the cost of a miss, not of a different question.

The live side is the bench's own questions (questions.py) that answer a part of what the
endpoint returns, run one after the other on a warm connection, LIVE_RUNS times: it computes
less than the endpoint does (this week's calls, not 90 days'; one BDR's heatmap), so the
live / API ratio is a floor.
"""

from __future__ import annotations

from datetime import date, timedelta

import requests

from emg import warehouse as wh
from emg.api import instance, server
from emg.bench import wrk
from emg.bench.questions import QUESTIONS
from emg.errors import EmgError

PREFIX = "/api/reporting"
# each endpoint and the bench's questions that compute a part of its answer live from crm
ENDPOINTS = {
    "call-volume": ("calls_this_week", "heatmap_one_bdr_90_days"),
    "agreements": ("agreements_lists_this_month",),
    "lists-out": ("agreements_lists_this_month", "conversion_6_months"),
    "alerts": ("firing_alerts",),
}
CLIENTS = (1, 10, 50)
SECONDS = 3  # per wrk run: 4 endpoints × 3 client counts × 2 = 24 runs a scale
LIVE_RUNS = 20
HISTORY_DAYS = 365  # the requests' dates: the year up to as_of, every day of the data
MISS_STRIDE = 100_000  # days between two uncached runs' first `from`: no run meets another's
TARGET_CACHED_VS_UNCACHED = 10
TARGET_LIVE_VS_UNCACHED = 50


def check_ready() -> None:
    """Before the long run: wrk is installed and no API is serving this state folder."""
    wrk.executable()
    if server.service().pid():
        raise EmgError(
            "emg bench --api starts the reporting API on each scale's data itself; "
            "stop the one running first: emg api stop"
        )


def _get(url: str, token: str, date_from: date, date_to: date) -> bytes:
    response = requests.get(
        url,
        params={"from": date_from.isoformat(), "to": date_to.isoformat()},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,
    )
    if response.status_code != 200:
        raise EmgError(f"{url} answered {response.status_code}: {response.text[:200]}")
    return response.content


def _settle(base_url: str) -> None:
    """Wait for the requests a wrk run left in flight (the health check queues behind them)."""
    requests.get(f"{base_url}{PREFIX}/health", timeout=120)


def _cells(url: str, token: str, date_from: date, date_to: date, miss_from: int | None,
           progress, label: str) -> list[dict]:  # fmt: skip
    cells = []
    for index, clients in enumerate(CLIENTS):
        progress(f"{label}, {clients} client{'s' if clients > 1 else ''}")
        first_miss = None if miss_from is None else miss_from + index * MISS_STRIDE
        run, _ = wrk.run(url, token, clients, SECONDS, date_to, date_from, first_miss)
        _settle(url.split(PREFIX)[0])
        failed = sum(run.errors.values())
        if failed:
            raise EmgError(
                f"{failed} of {run.requests} requests to {url} failed at {clients} clients "
                f"({run.errors}); see {server.service().log_file}"
            )
        cells.append(
            {
                "clients": clients,
                "requests": run.requests,
                "per_second": round(run.per_second, 1),
                "p50_ms": round(run.p50_ms, 2),
                "p95_ms": round(run.p95_ms, 2),
                "p99_ms": round(run.p99_ms, 2),
            }
        )
    return cells


def _live(names: tuple[str, ...], values: dict) -> dict:
    """The questions' live SQL one after the other on a warm connection, LIVE_RUNS times."""
    from emg.bench.runner import Timing, _timed

    sqls = [question.live_sql for question in QUESTIONS if question.name in names]
    conn = wh.connect()
    conn.autocommit = True
    try:
        for sql in sqls:
            _timed(conn, sql, values)  # warm-up
        totals = []
        for _ in range(LIVE_RUNS):
            totals.append(sum(_timed(conn, sql, values)[0] for sql in sqls))
    finally:
        conn.close()
    timing = Timing.of(totals)
    return {
        "questions": list(names),
        "runs": LIVE_RUNS,
        "p50_ms": round(timing.p50 * 1000, 2),
        "p95_ms": round(timing.p95 * 1000, 2),
    }


def run(values: dict, progress) -> dict:
    """The API part at the scale the warehouse holds: a dict for the bench's JSON."""
    check_ready()
    server.start(lambda _line: None)
    try:
        base_url, token = instance.base_url(), instance.token()
        as_of_date = date.fromisoformat(
            requests.get(f"{base_url}{PREFIX}/health", timeout=30).json()["as_of_date"]
        )
        date_from, date_to = as_of_date - timedelta(days=HISTORY_DAYS - 1), as_of_date
        endpoints = []
        for name in ENDPOINTS:
            url = f"{base_url}{PREFIX}/{name}"
            answer = _get(url, token, date_from, date_to)
            missed = _get(url, token, date_from - timedelta(days=3 * MISS_STRIDE), date_to)
            if missed != answer:
                raise EmgError(
                    f"{name}: a `from` before the data begins changed the answer; the "
                    "uncached runs would not ask the same question"
                )
            cached = _cells(url, token, date_from, date_to, None, progress,
                            f"API {name} cached")  # fmt: skip
            uncached = _cells(url, token, date_from, date_to, 1, progress,
                              f"API {name} uncached")  # fmt: skip
            endpoints.append({"endpoint": name, "bytes": len(answer), "same_answer": True,
                              "cached": cached, "uncached": uncached})  # fmt: skip
    finally:
        server.stop(lambda _line: None)
    for endpoint in endpoints:
        progress(f"API {endpoint['endpoint']}: live from crm")
        live = _live(ENDPOINTS[endpoint["endpoint"]], values)
        endpoint["live"] = live
        endpoint["cached_vs_uncached_per_second"] = [
            round(c["per_second"] / u["per_second"], 1)
            for c, u in zip(endpoint["cached"], endpoint["uncached"], strict=True)
        ]
        # one request at a time against one live run at a time
        endpoint["live_vs_uncached_p95"] = round(
            live["p95_ms"] / endpoint["uncached"][0]["p95_ms"], 1
        )
    return {
        "seconds_per_run": SECONDS,
        "clients": list(CLIENTS),
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "endpoints": endpoints,
    }
