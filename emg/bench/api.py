"""`emg bench --api`: the reporting API under load at one scale, beside the same questions
computed live from the `crm` tables.

The bench starts the API (emg.api.server, as `emg api start` does) on the warehouse it has
just built, and stops it after: a fresh cache for each scale's data. For each endpoint, wrk
(wrk.py) sends requests for a few seconds at 1, 10 and 50 concurrent clients:

- cached: one request repeated (the first answer is computed, the rest come from the cache);
- uncached: each request's `from` a day earlier than the last, every one before the data
  begins, so each is a new cache entry while the SQL reads the same rows and the answer is
  the same bytes (checked here): the cost of a miss, not of a different question.

The live side computes from `crm` what the endpoint answers, one query after the other on a
warm connection, LIVE_RUNS times: call-volume's daily and heatmap tables whole (api_*.live.sql,
checked equal to the API's answer) and its weekly table's current week (the bench's question);
for the other endpoints, the bench's questions that compute a part of their answer (this
month's team agreements and lists, not every month's per BDR). Where only a part is
computed, the live time is a floor, and so is the live / API ratio.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import requests

from emg import warehouse as wh
from emg.api import instance, server
from emg.bench import questions, wrk
from emg.errors import EmgError

PREFIX = "/api/reporting"
# each endpoint and what computes its answer live from crm: the bench's questions that compute
# a part of it, and live queries of this module's own (api_*) that compute a whole table of it
ENDPOINTS = {
    "call-volume": ("calls_this_week", "api_call_volume_daily", "api_call_volume_heatmap"),
    "agreements": ("agreements_lists_this_month",),
    "lists-out": ("agreements_lists_this_month", "conversion_6_months"),
    "alerts": ("firing_alerts",),
}
# the answer's table each api_* live query computes whole, with its columns in order: checked
# equal to what the API answered
WHOLE_TABLES = {
    "api_call_volume_daily": ("daily", ("date", "calls_completed")),
    "api_call_volume_heatmap": ("heatmap", ("iso_weekday", "hour_of_day", "calls_completed")),
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


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else int(value)


def _live(names: tuple[str, ...], values: dict, answer: dict) -> dict:
    """The live SQL one query after the other on a warm connection, LIVE_RUNS times; the
    tables computed whole are checked equal to the API's `answer`."""
    from emg.bench.runner import Timing, _timed

    sqls = {name: questions.live(name) for name in names}
    conn = wh.connect()
    conn.autocommit = True
    try:
        for name, sql in sqls.items():
            _, rows = _timed(conn, sql, values)  # warm-up
            if name in WHOLE_TABLES:
                table, columns = WHOLE_TABLES[name]
                served = [tuple(row[column] for column in columns) for row in answer[table]]
                if [tuple(_plain(v) for v in row) for row in rows] != served:
                    raise EmgError(
                        f"{name}: the live computation from crm and the API's {table} table "
                        f"disagree ({rows[:2]} vs {served[:2]})"
                    )
        totals = []
        for _ in range(LIVE_RUNS):
            totals.append(sum(_timed(conn, sql, values)[0] for sql in sqls.values()))
    finally:
        conn.close()
    timing = Timing.of(totals)
    return {
        "queries": list(names),
        "whole_tables": [WHOLE_TABLES[name][0] for name in names if name in WHOLE_TABLES],
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
        endpoints, answers = [], {}
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
            answers[name] = json.loads(answer)
            endpoints.append({"endpoint": name, "bytes": len(answer), "same_answer": True,
                              "cached": cached, "uncached": uncached})  # fmt: skip
    finally:
        server.stop(lambda _line: None)
    for endpoint in endpoints:
        progress(f"API {endpoint['endpoint']}: live from crm")
        live = _live(ENDPOINTS[endpoint["endpoint"]], values, answers[endpoint["endpoint"]])
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
